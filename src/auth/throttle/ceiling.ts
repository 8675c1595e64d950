import { add, type Buckets, forgetAt as bucketsForgetAt, giveBack, prune, total } from "../../abuse/counter-rules";
import { type Failure, failure } from "../../errors/errors";

/** The ceiling's window: failures are counted per rolling day. */
export const DAY_MS = 86_400_000;

/** The ceiling of failed sign-ins for one account, over every client network. */
export interface CeilingPolicy {
	/** Failures per rolling window (LOGIN_ACCOUNT_MAX_FAILURES_PER_DAY). */
	maxFailures: number;
	windowMs: number;
	/**
	 * The lock once the ceiling is reached (LOGIN_ACCOUNT_LOCKOUT_SECONDS), or
	 * null when Turnstile is configured: then a solved challenge is asked instead.
	 */
	lockoutMs: number | null;
}

/**
 * Failures of one account over every network, in the 60 buckets of a rolling
 * window (bounded storage, whatever the traffic), and the lock the ceiling set.
 */
export interface CeilingState {
	buckets: Buckets;
	/** No attempt is admitted before this time (ms since the epoch); 0 = not locked. */
	lockedUntil: number;
}

export const NO_FAILURES: CeilingState = { buckets: {}, lockedUntil: 0 };

/** What the ceiling says to an attempt that its client network admitted. */
export type CeilingVerdict =
	| { admitted: true; state: CeilingState }
	| { admitted: false; failure: Failure }
	/** The ceiling is reached and Turnstile is configured: admitted only with a solved challenge. */
	| { admitted: false; turnstile: true };

/**
 * Admits an attempt (counting it as a failure until it succeeds) or refuses
 * it, counting nothing. Below the ceiling every attempt is admitted.
 *
 * Once the ceiling is reached, with Turnstile every attempt needs a solved
 * challenge (`humanProven`), and is counted; without it, the attempt that
 * reaches the ceiling locks the account for `lockoutMs`, and so does each one
 * admitted after a lock ends while the day's failures stay at the ceiling:
 * one attempt per lock-out over every network, and a lock never longer than
 * `lockoutMs` (it does not grow), so a stranger can slow the owner down but
 * never shut them out for longer.
 */
export function admitPastCeiling(s: CeilingState, now: number, p: CeilingPolicy, humanProven: boolean): CeilingVerdict {
	const buckets = prune(s.buckets, now, p.windowMs);
	if (p.lockoutMs === null) {
		if (total(buckets) >= p.maxFailures && !humanProven) return { admitted: false, turnstile: true };
		return { admitted: true, state: { buckets: add(buckets, now, p.windowMs), lockedUntil: 0 } };
	}
	if (now < s.lockedUntil) {
		const retryAfter = Math.max(1, Math.ceil((s.lockedUntil - now) / 1000));
		return {
			admitted: false,
			failure: failure("RATE_LIMITED", { retryAfter, message: "Too many failed sign-in attempts; try again later" }),
		};
	}
	const counted = add(buckets, now, p.windowMs);
	const lockedUntil = total(counted) >= p.maxFailures ? now + p.lockoutMs : 0;
	return { admitted: true, state: { buckets: counted, lockedUntil } };
}

/**
 * Counts an attempt from a network the owner signed in from lately: it is
 * never refused by the ceiling (its own network lock still applies), so
 * strangers who fill the ceiling cannot keep the owner out of their usual
 * networks. It still counts, so a success gives back exactly what it took.
 */
export function countPastCeiling(s: CeilingState, now: number, p: CeilingPolicy): CeilingState {
	return { buckets: add(prune(s.buckets, now, p.windowMs), now, p.windowMs), lockedUntil: s.lockedUntil };
}

/**
 * The attempt admitted at `admittedAt` succeeded: it is no failure, so it
 * leaves the count, and the lock it set (if any) is lifted. The day's other
 * failures stay: the owner's success does not wipe out a stranger's.
 */
export function ceilingSucceeded(s: CeilingState, admittedAt: number, p: CeilingPolicy): CeilingState {
	const buckets = giveBack(s.buckets, admittedAt, p.windowMs);
	const ownLock = p.lockoutMs !== null && s.lockedUntil === admittedAt + p.lockoutMs;
	return { buckets, lockedUntil: ownLock ? 0 : s.lockedUntil };
}

/** The ceiling at `now`: buckets that left the window dropped, an ended lock cleared. */
export function ceilingAtTime(s: CeilingState, now: number, p: CeilingPolicy): CeilingState {
	const buckets = prune(s.buckets, now, p.windowMs);
	const lockedUntil = now < s.lockedUntil ? s.lockedUntil : 0;
	return Object.keys(buckets).length === 0 && lockedUntil === 0 ? NO_FAILURES : { buckets, lockedUntil };
}

/** When the ceiling has nothing left to remember. */
export function ceilingForgetAt(s: CeilingState, p: CeilingPolicy): number {
	return Math.max(s.lockedUntil, bucketsForgetAt(s.buckets, p.windowMs));
}
