import type { RangeGuardPolicy } from "../config/config";
import { type Buckets, total } from "./counter-rules";

/**
 * Fast feedback per number range. Real people verify a code within a minute
 * or two; pumped numbers never do. So a range (a calling code and the next
 * three digits: for NANP the area code) and each block inside it (for NANP
 * the exchange) may only have so many *unverified* sends in the last window.
 * A range with history (codes verified in the last month) earns more room;
 * a range without any gets little. A verified code frees its room at once.
 */
export type RangePolicy = RangeGuardPolicy;

/** Sends and verified codes of one block, per minute, inside the fast window. */
export interface BlockCounts {
	sends: Buckets;
	verified: Buckets;
}

export interface RangeState {
	/** Per minute, inside the fast window: the range's sends and verified codes. */
	recentSends: Buckets;
	recentVerified: Buckets;
	blocks: Record<string, BlockCounts>;
	/** Verified codes per day inside the proven window: the range's history. */
	proven: Buckets;
}

export const FRESH_RANGE: RangeState = { recentSends: {}, recentVerified: {}, blocks: {}, proven: {} };

export type RangeVerdict =
	| { verdict: "ok" }
	/** Too many unverified sends: `scope` says whether the range or one block of it. */
	| { verdict: "throttled"; scope: "range" | "block"; retryAfterMs: number };

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Blocks remembered per range; the quietest is forgotten first, so an attacker cannot grow the state. */
const MAX_BLOCKS = 256;

const bucketOf = (now: number, width: number) => String(Math.floor(now / width));

function since(buckets: Buckets, from: number, width: number): Buckets {
	const oldest = Math.floor(from / width);
	const kept: Buckets = {};
	for (const [b, n] of Object.entries(buckets)) if (Number(b) > oldest) kept[b] = n;
	return kept;
}

function bump(buckets: Buckets, now: number, width: number): Buckets {
	const b = bucketOf(now, width);
	return { ...buckets, [b]: (buckets[b] ?? 0) + 1 };
}

const unverified = (sends: Buckets, verified: Buckets) => Math.max(0, total(sends) - total(verified));

/** The room a range has: its base, plus one for each code verified there in the proven window. */
export function allowance(s: RangeState, base: number, p: RangePolicy): number {
	return Math.min(p.maxAllowance, base + total(s.proven));
}

/** The state with everything outside its windows dropped. */
export function recentRange(s: RangeState, now: number, p: RangePolicy): RangeState {
	const from = now - p.fastWindowMs;
	const blocks: Record<string, BlockCounts> = {};
	for (const [key, b] of Object.entries(s.blocks)) {
		const sends = since(b.sends, from, MINUTE_MS);
		if (Object.keys(sends).length) blocks[key] = { sends, verified: since(b.verified, from, MINUTE_MS) };
	}
	return {
		recentSends: since(s.recentSends, from, MINUTE_MS),
		recentVerified: since(s.recentVerified, from, MINUTE_MS),
		blocks,
		proven: since(s.proven, now - p.provenWindowMs, DAY_MS),
	};
}

/** The room of each block of a range: its base, plus one for every four codes verified in the range lately. */
const blockRoom = (r: RangeState, p: RangePolicy) =>
	Math.min(p.maxAllowance, p.blockAllowance + Math.floor(total(r.proven) / 4));

/** Figures for the operator: unverified sends of the range in the window, its room, and blocks at theirs. */
export function rangeFigures(s: RangeState, now: number, p: RangePolicy) {
	const r = recentRange(s, now, p);
	const room = blockRoom(r, p);
	return {
		sends: total(r.recentSends),
		verified: total(r.recentVerified),
		unverified: unverified(r.recentSends, r.recentVerified),
		allowance: allowance(r, p.rangeAllowance, p),
		provenVerified: total(r.proven),
		blocks: Object.keys(r.blocks).length,
		throttledBlocks: Object.values(r.blocks).filter((b) => unverified(b.sends, b.verified) >= room).length,
	};
}

/** Who asks, as far as the room goes. */
export interface SendOptions {
	/** Solved a challenge: twice the room. */
	human?: boolean;
	/** Carries a signal (signals.ts): half the room. */
	suspect?: boolean;
}

/**
 * Whether one more send to `block` fits: the range's and the block's
 * unverified sends must stay under their room (doubled for a caller who
 * solved a challenge, halved for a suspect one). Admitted, it is counted.
 */
export function judgeSend(
	s: RangeState,
	block: string,
	now: number,
	p: RangePolicy,
	{ human = false, suspect = false }: SendOptions = {},
): { state: RangeState; verdict: RangeVerdict } {
	const r = recentRange(s, now, p);
	const b = r.blocks[block] ?? { sends: {}, verified: {} };
	const factor = (human ? 2 : 1) * (suspect ? 0.5 : 1);
	if (unverified(r.recentSends, r.recentVerified) >= factor * allowance(r, p.rangeAllowance, p))
		return { state: r, verdict: throttled("range", r.recentSends, now, p) };
	if (unverified(b.sends, b.verified) >= factor * blockRoom(r, p))
		return { state: r, verdict: throttled("block", b.sends, now, p) };
	return { state: countSend(r, block, now), verdict: { verdict: "ok" } };
}

/** Counts a send to `block` (admitted, or sent while the guard only observes). */
export function countSend(r: RangeState, block: string, now: number): RangeState {
	const b = r.blocks[block] ?? { sends: {}, verified: {} };
	let blocks = { ...r.blocks, [block]: { ...b, sends: bump(b.sends, now, MINUTE_MS) } };
	const keys = Object.keys(blocks);
	if (keys.length > MAX_BLOCKS) {
		const quietest = keys.reduce((a, k) => (total(blocks[k]?.sends ?? {}) < total(blocks[a]?.sends ?? {}) ? k : a));
		blocks = Object.fromEntries(Object.entries(blocks).filter(([k]) => k !== quietest));
	}
	return { ...r, recentSends: bump(r.recentSends, now, MINUTE_MS), blocks };
}

/** A code sent to `block` was verified: its room comes back, and the range's history grows. */
export function countVerified(s: RangeState, block: string, now: number, p: RangePolicy): RangeState {
	const r = recentRange(s, now, p);
	const b = r.blocks[block];
	const blocks = b ? { ...r.blocks, [block]: { ...b, verified: bump(b.verified, now, MINUTE_MS) } } : r.blocks;
	return {
		recentSends: r.recentSends,
		recentVerified: bump(r.recentVerified, now, MINUTE_MS),
		blocks,
		proven: bump(r.proven, now, DAY_MS),
	};
}

/** When the oldest send of `sends` leaves the window: the soonest the room can grow without a verification. */
function throttled(scope: "range" | "block", sends: Buckets, now: number, p: RangePolicy): RangeVerdict {
	const oldest = Math.min(...Object.keys(sends).map(Number));
	const frees = Number.isFinite(oldest) ? oldest * MINUTE_MS + p.fastWindowMs : now + MINUTE_MS;
	return { verdict: "throttled", scope, retryAfterMs: Math.max(1000, frees - now) };
}

/** When nothing of the state matters any more. */
export function rangeForgetAt(s: RangeState, p: RangePolicy): number {
	const minutes = Object.keys(s.recentSends).map(Number);
	const days = Object.keys(s.proven).map(Number);
	const fast = minutes.length ? (Math.max(...minutes) + 1) * MINUTE_MS + p.fastWindowMs : 0;
	const proven = days.length ? (Math.max(...days) + 1) * DAY_MS + p.provenWindowMs : 0;
	return Math.max(fast, proven);
}
