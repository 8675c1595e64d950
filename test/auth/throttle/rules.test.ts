import { describe, expect, it } from "vitest";
import { admit, atTime, CLEAR, forgetAt, refund, type ThrottleState } from "../../../src/auth/throttle/rules";
import type { ThrottlePolicy } from "../../../src/config/config";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 86_400 * SECOND;
const T0 = 1_900_000_000_000;

const policy: ThrottlePolicy = { maxFailures: 5, lockoutsMs: [MINUTE, 5 * MINUTE, 15 * MINUTE], windowMs: DAY };

/** Admits `n` attempts at `now`, each of which must be admitted. */
function failTimes(n: number, now = T0, s: ThrottleState = CLEAR, p = policy): ThrottleState {
	let state = s;
	for (let i = 0; i < n; i++) {
		const result = admit(state, now, p);
		expect(result.refusal).toBeNull();
		state = result.state;
	}
	return state;
}

describe("admit", () => {
	it("counts an admitted attempt as a failure before any password is checked", () => {
		const { state, refusal } = admit(CLEAR, T0, policy);
		expect(refusal).toBeNull();
		expect(state).toEqual({ failures: 1, lockedUntil: 0, lastAttemptAt: T0 });
	});

	it("does not lock below the threshold", () => {
		expect(failTimes(4)).toEqual({ failures: 4, lockedUntil: 0, lastAttemptAt: T0 });
	});

	it("locks for the first lock-out on the attempt that reaches the threshold", () => {
		const s = failTimes(5);
		expect(s).toEqual({ failures: 5, lockedUntil: T0 + MINUTE, lastAttemptAt: T0 });
		const { state, refusal } = admit(s, T0 + 1, policy);
		expect(refusal).toMatchObject({ ok: false, code: "RATE_LIMITED", retryAfter: 60 });
		// A refused attempt is not counted.
		expect(state).toBe(s);
	});

	it("admits again exactly when the lock ends", () => {
		const s = failTimes(5);
		expect(admit(s, T0 + MINUTE - 1, policy).refusal).not.toBeNull();
		expect(admit(s, T0 + MINUTE, policy).refusal).toBeNull();
	});

	it("rounds Retry-After up to whole seconds, never below one", () => {
		const s = failTimes(5);
		const retry = (now: number) => admit(s, now, policy).refusal?.retryAfter;
		expect(retry(T0)).toBe(60);
		expect(retry(T0 + 999)).toBe(60);
		expect(retry(T0 + 1000)).toBe(59);
		expect(retry(T0 + MINUTE - 1001)).toBe(2);
		expect(retry(T0 + MINUTE - 1000)).toBe(1);
		expect(retry(T0 + MINUTE - 1)).toBe(1);
	});

	it("grows the lock with each admitted failure past the threshold, and the last one repeats", () => {
		let s = failTimes(5);
		let now = T0;
		const locks: number[] = [s.lockedUntil - now];
		for (let i = 0; i < 5; i++) {
			now = s.lockedUntil;
			s = failTimes(1, now, s);
			locks.push(s.lockedUntil - now);
		}
		expect(locks).toEqual([MINUTE, 5 * MINUTE, 15 * MINUTE, 15 * MINUTE, 15 * MINUTE, 15 * MINUTE]);
		expect(s.failures).toBe(10);
	});

	it("with a single lock-out, every failure past the threshold gets it", () => {
		const p: ThrottlePolicy = { maxFailures: 1, lockoutsMs: [30 * SECOND], windowMs: DAY };
		const first = failTimes(1, T0, CLEAR, p);
		expect(first.lockedUntil).toBe(T0 + 30 * SECOND);
		const second = failTimes(1, first.lockedUntil, first, p);
		expect(second.lockedUntil).toBe(first.lockedUntil + 30 * SECOND);
	});
});

describe("refund", () => {
	it("gives one attempt back and lifts the lock", () => {
		const locked = failTimes(5);
		const refunded = refund(locked);
		expect(refunded).toEqual({ failures: 4, lockedUntil: 0, lastAttemptAt: T0 });
		// The next failure reaches the threshold again and locks again.
		expect(failTimes(1, T0 + 1, refunded).lockedUntil).toBe(T0 + 1 + MINUTE);
	});

	it("returns CLEAR once nothing is left", () => {
		expect(refund(failTimes(1))).toBe(CLEAR);
		expect(refund(CLEAR)).toBe(CLEAR);
	});
});

describe("atTime", () => {
	it("keeps failures within the window", () => {
		const s = failTimes(3);
		expect(atTime(s, T0 + DAY - 1, policy)).toBe(s);
	});

	it("forgets failures once the window has passed without an attempt", () => {
		const s = failTimes(3);
		expect(atTime(s, T0 + DAY, policy)).toBe(CLEAR);
		// So the next failure starts from one.
		expect(admit(atTime(s, T0 + DAY, policy), T0 + DAY, policy).state.failures).toBe(1);
	});

	it("measures the window from the last attempt, not the first", () => {
		const s = failTimes(1, T0 + DAY - 1, failTimes(2));
		expect(atTime(s, T0 + DAY, policy)).toBe(s);
		expect(atTime(s, T0 + 2 * DAY - 1, policy)).toBe(CLEAR);
	});

	it("keeps the count after a lock ends within the window, so the next lock is longer", () => {
		const s = failTimes(5);
		const later = atTime(s, T0 + MINUTE, policy);
		expect(later).toBe(s);
		expect(admit(later, T0 + MINUTE, policy).state.lockedUntil).toBe(T0 + MINUTE + 5 * MINUTE);
	});

	it("never forgets a lock that outlives the window", () => {
		const p: ThrottlePolicy = { maxFailures: 2, lockoutsMs: [15 * MINUTE], windowMs: MINUTE };
		const s = failTimes(2, T0, CLEAR, p);
		expect(s.lockedUntil).toBe(T0 + 15 * MINUTE);
		const afterWindow = atTime(s, T0 + 2 * MINUTE, p);
		expect(afterWindow).toBe(s);
		expect(admit(afterWindow, T0 + 2 * MINUTE, p).refusal).toMatchObject({ code: "RATE_LIMITED", retryAfter: 780 });
		expect(atTime(s, T0 + 15 * MINUTE - 1, p)).toBe(s);
		expect(atTime(s, T0 + 15 * MINUTE, p)).toBe(CLEAR);
	});
});

describe("forgetAt", () => {
	it("is the end of the window after the last attempt", () => {
		expect(forgetAt(failTimes(5), policy)).toBe(T0 + DAY);
	});

	it("is the end of the lock when the lock outlives the window", () => {
		const p: ThrottlePolicy = { maxFailures: 1, lockoutsMs: [15 * MINUTE], windowMs: MINUTE };
		expect(forgetAt(failTimes(1, T0, CLEAR, p), p)).toBe(T0 + 15 * MINUTE);
	});

	it("agrees with atTime: forgotten at forgetAt, not a millisecond before", () => {
		for (const p of [policy, { maxFailures: 1, lockoutsMs: [15 * MINUTE], windowMs: MINUTE }]) {
			const s = failTimes(p.maxFailures, T0, CLEAR, p);
			expect(atTime(s, forgetAt(s, p) - 1, p)).toBe(s);
			expect(atTime(s, forgetAt(s, p), p)).toBe(CLEAR);
		}
	});
});
