import type { ThrottlePolicy } from "../../config/config";
import { type Failure, failure } from "../../errors/errors";

/**
 * Failed-login accounting for one key (an account or an IP address).
 *
 * Every attempt is counted as a failure when it is admitted, before the
 * password is checked; a success then resets (account) or refunds (IP) it.
 * Counting first is what stops a burst of parallel guesses: once the
 * threshold is reached, the lock is already in place for the next request.
 */
export interface ThrottleState {
	/** Consecutive failures, including attempts still in flight. */
	failures: number;
	/** No attempt is admitted before this time (ms since the epoch); 0 = not locked. */
	lockedUntil: number;
	lastAttemptAt: number;
}

export const CLEAR: ThrottleState = { failures: 0, lockedUntil: 0, lastAttemptAt: 0 };

/** Forgets failures once the window has passed without an attempt and no lock is running. */
export function atTime(s: ThrottleState, now: number, p: ThrottlePolicy): ThrottleState {
	if (s !== CLEAR && now >= s.lockedUntil && now >= s.lastAttemptAt + p.windowMs) return CLEAR;
	return s;
}

/**
 * Admits an attempt (counting it) or refuses it while locked. Reaching the
 * threshold locks for the first lock-out; each failure past it for the next,
 * and the last one repeats, so a lock never lasts longer than the longest
 * configured lock-out: an attacker can slow a victim down, never shut them out.
 */
export function admit(
	s: ThrottleState,
	now: number,
	p: ThrottlePolicy,
): { state: ThrottleState; refusal: Failure | null } {
	if (now < s.lockedUntil) {
		const retryAfter = Math.max(1, Math.ceil((s.lockedUntil - now) / 1000));
		return {
			state: s,
			refusal: failure("RATE_LIMITED", { retryAfter, message: "Too many failed sign-in attempts; try again later" }),
		};
	}
	const failures = s.failures + 1;
	const over = failures - p.maxFailures;
	const lockout = over >= 0 ? (p.lockoutsMs[Math.min(over, p.lockoutsMs.length - 1)] as number) : 0;
	return { state: { failures, lockedUntil: lockout ? now + lockout : 0, lastAttemptAt: now }, refusal: null };
}

/** An admitted attempt succeeded: an IP gets that attempt back and loses its lock. */
export function refund(s: ThrottleState): ThrottleState {
	if (s.failures <= 1) return CLEAR;
	return { ...s, failures: s.failures - 1, lockedUntil: 0 };
}

/** When the state can be forgotten. */
export function forgetAt(s: ThrottleState, p: ThrottlePolicy): number {
	return Math.max(s.lockedUntil, s.lastAttemptAt + p.windowMs);
}
