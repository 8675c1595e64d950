import type { OtpPolicy } from "../config/config";
import { type Failure, failure } from "../errors/errors";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** A code sent to the phone, or a wrong code tried for it, by one client network. */
export interface Mark {
	at: number;
	network: string;
	kind: "send" | "fail";
}

/**
 * The marks of one flow (registration or reset) of one phone over the last
 * day, oldest first. Each client network draws on its own share of sends and
 * wrong codes for the phone, so no stranger can spend the owner's; the totals
 * over every network are the ceiling that bounds SMS bombing and distributed
 * guessing. Every mark counts against a ceiling, so the ledger stays bounded.
 */
export type Ledger = readonly Mark[];

/** The marks still inside the day. */
export function recent(ledger: Ledger, now: number): Ledger {
	const from = now - DAY_MS;
	return ledger.length && (ledger[0] as Mark).at <= from ? ledger.filter((m) => m.at > from) : ledger;
}

export function mark(ledger: Ledger, now: number, network: string, kind: Mark["kind"]): Ledger {
	return [...recent(ledger, now), { at: now, network, kind }];
}

/**
 * Why `network` may not have another code sent now, by the ledger alone
 * (the cooldown belongs to each code): its wrong codes today, its sends this
 * hour and today, then the phone's ceilings. Null when a send may go.
 */
export function sendShareRefusal(ledger: Ledger, network: string, now: number, p: OtpPolicy): Failure | null {
	return (
		guessShareRefusal(ledger, network, now, p) ??
		capRefusal(times(ledger, now, HOUR_MS, "send", network), now, HOUR_MS, p.maxSendsPerHour, TOO_MANY_CODES) ??
		capRefusal(times(ledger, now, DAY_MS, "send", network), now, DAY_MS, p.maxSendsPerDay, TOO_MANY_CODES) ??
		capRefusal(times(ledger, now, DAY_MS, "send"), now, DAY_MS, p.phoneMaxSendsPerDay, TOO_MANY_CODES)
	);
}

/**
 * Why `network` may not try a code for this phone now: it had its day's
 * share of wrong codes for it, or the phone reached its ceiling. New codes
 * would only buy more guesses, so sends are refused too.
 */
export function guessShareRefusal(ledger: Ledger, network: string, now: number, p: OtpPolicy): Failure | null {
	return (
		capRefusal(times(ledger, now, DAY_MS, "fail", network), now, DAY_MS, p.maxFailedPerDay, TOO_MANY_WRONG) ??
		capRefusal(times(ledger, now, DAY_MS, "fail"), now, DAY_MS, p.phoneMaxFailedPerDay, TOO_MANY_WRONG)
	);
}

/** When the last mark leaves the day; 0 when there is none. */
export function ledgerWake(ledger: Ledger): number {
	const last = ledger.at(-1);
	return last ? last.at + DAY_MS : 0;
}

const TOO_MANY_CODES = "Too many codes requested for this phone number; try again later";
const TOO_MANY_WRONG = "Too many incorrect codes for this phone number today; try again later";

function times(ledger: Ledger, now: number, windowMs: number, kind: Mark["kind"], network?: string): number[] {
	const from = now - windowMs;
	const out: number[] = [];
	for (const m of ledger)
		if (m.at > from && m.kind === kind && (network === undefined || m.network === network)) out.push(m.at);
	return out;
}

function capRefusal(log: number[], now: number, windowMs: number, cap: number, message: string): Failure | null {
	if (log.length < cap) return null;
	return rateLimited((log.at(-cap) as number) + windowMs - now, message);
}

export function rateLimited(ms: number, message: string): Failure {
	return failure("RATE_LIMITED", { retryAfter: Math.max(1, Math.ceil(ms / 1000)), message });
}
