import { type Buckets, total } from "./counter-rules";

/**
 * The conversion-rate guard of one number prefix (calling code plus the next
 * three digits). Pumped numbers never verify, so a prefix that gets many codes
 * and almost no verifications is being pumped: new sends to it stop for a
 * while. Real traffic verifies most of its codes, so it never gets close.
 */
export interface PrefixPolicy {
	/** Settled sends in the window before the rate is judged at all. */
	minSends: number;
	/** Verified ÷ settled sends below which the prefix is blocked, 0–1. */
	minRate: number;
	blockMs: number;
	windowMs: number;
	/** Sends younger than this (the code TTL) may still be verified: not judged yet. */
	settleMs: number;
}

export interface PrefixState {
	/** Per-minute counts of sends and of verifications in the window. */
	sends: Buckets;
	verified: Buckets;
	blockedUntil: number;
}

export const FRESH: PrefixState = { sends: {}, verified: {}, blockedUntil: 0 };

const MINUTE_MS = 60_000;

/** The per-minute buckets still inside the window. */
function within(buckets: Buckets, now: number, windowMs: number): Buckets {
	const oldest = Math.floor((now - windowMs) / MINUTE_MS);
	return Object.fromEntries(Object.entries(buckets).filter(([minute]) => Number(minute) > oldest));
}

/** Sends and verifications in the window; sends still within `settleMs` are left out. */
export function rate(s: PrefixState, now: number, p: PrefixPolicy): { settled: number; verified: number } {
	const cutoff = Math.floor((now - p.settleMs) / MINUTE_MS);
	const settled = Object.entries(within(s.sends, now, p.windowMs))
		.filter(([minute]) => Number(minute) < cutoff)
		.reduce((n, [, count]) => n + count, 0);
	return { settled, verified: total(within(s.verified, now, p.windowMs)) };
}

/**
 * Whether a send to the prefix may go now; if so it is counted. A block lasts
 * `blockMs`; the history stays, so a prefix still pumped is blocked again at once.
 */
export function admitSend(
	s: PrefixState,
	now: number,
	p: PrefixPolicy,
): { state: PrefixState; blockedFor: number | null } {
	if (now < s.blockedUntil) return { state: s, blockedFor: s.blockedUntil - now };
	const { settled, verified } = rate(s, now, p);
	if (settled >= p.minSends && verified < p.minRate * settled) {
		return { state: { ...s, blockedUntil: now + p.blockMs }, blockedFor: p.blockMs };
	}
	return { state: { ...s, sends: bump(within(s.sends, now, p.windowMs), now) }, blockedFor: null };
}

export function recordVerified(s: PrefixState, now: number, p: PrefixPolicy): PrefixState {
	return { ...s, verified: bump(within(s.verified, now, p.windowMs), now) };
}

function bump(buckets: Buckets, now: number): Buckets {
	const minute = String(Math.floor(now / MINUTE_MS));
	return { ...buckets, [minute]: (buckets[minute] ?? 0) + 1 };
}

/** When nothing of the state matters any more. */
export function forgetAt(s: PrefixState, p: PrefixPolicy): number {
	const minutes = [...Object.keys(s.sends), ...Object.keys(s.verified)].map(Number);
	const last = minutes.length ? (Math.max(...minutes) + 1) * MINUTE_MS + p.windowMs : 0;
	return Math.max(last, s.blockedUntil);
}
