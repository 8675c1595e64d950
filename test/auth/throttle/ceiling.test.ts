import { describe, expect, it } from "vitest";
import { total } from "../../../src/abuse/counter-rules";
import {
	admitPastCeiling,
	type CeilingPolicy,
	type CeilingState,
	ceilingAtTime,
	ceilingForgetAt,
	ceilingSucceeded,
	DAY_MS,
	NO_FAILURES,
} from "../../../src/auth/throttle/ceiling";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** A multiple of the 24-minute bucket, so the window ends exactly a day later. */
const T0 = Date.UTC(2030, 0, 1);

const locking: CeilingPolicy = { maxFailures: 50, windowMs: DAY_MS, lockoutMs: 15 * MINUTE };
const turnstile: CeilingPolicy = { ...locking, lockoutMs: null };

/** Admits `n` attempts at `now`, each of which must be admitted. */
function failTimes(n: number, now = T0, s: CeilingState = NO_FAILURES, p = locking, proven = false): CeilingState {
	let state = s;
	for (let i = 0; i < n; i++) {
		const verdict = admitPastCeiling(state, now, p, proven);
		if (!verdict.admitted) throw new Error(`attempt ${i + 1} refused: ${JSON.stringify(verdict)}`);
		state = verdict.state;
	}
	return state;
}

describe("the ceiling without Turnstile", () => {
	it("admits every attempt below the ceiling, without a lock", () => {
		const s = failTimes(49);
		expect(total(s.buckets)).toBe(49);
		expect(s.lockedUntil).toBe(0);
	});

	it("locks for the lock-out on the attempt that reaches the ceiling, and refuses without counting", () => {
		const s = failTimes(50);
		expect(s.lockedUntil).toBe(T0 + 15 * MINUTE);
		const refused = admitPastCeiling(s, T0 + MINUTE, locking, false);
		expect(refused).toMatchObject({ admitted: false, failure: { code: "RATE_LIMITED", retryAfter: 14 * 60 } });
		// Proof of a human changes nothing without Turnstile.
		expect(admitPastCeiling(s, T0 + MINUTE, locking, true).admitted).toBe(false);
	});

	it("re-locks for the same bounded time on each attempt admitted after a lock, never longer", () => {
		let s = failTimes(50);
		const locks: number[] = [];
		for (let i = 0; i < 4; i++) {
			const now = s.lockedUntil;
			s = failTimes(1, now, s);
			locks.push(s.lockedUntil - now);
		}
		expect(locks).toEqual([15 * MINUTE, 15 * MINUTE, 15 * MINUTE, 15 * MINUTE]);
	});

	it("stops locking once the day's failures fall below the ceiling", () => {
		const s = failTimes(50);
		const nextDay = T0 + DAY_MS;
		expect(ceilingAtTime(s, nextDay, locking)).toBe(NO_FAILURES);
		const again = failTimes(1, nextDay, ceilingAtTime(s, nextDay, locking));
		expect(again.lockedUntil).toBe(0);
	});

	it("a success lifts the lock its own attempt set, and leaves the count", () => {
		const s = failTimes(50);
		const ownAttempt = s.lockedUntil;
		const relocked = failTimes(1, ownAttempt, s);
		const after = ceilingSucceeded(relocked, ownAttempt, locking);
		expect(after.lockedUntil).toBe(0);
		expect(total(after.buckets)).toBe(50);
	});

	it("a success does not lift a lock another attempt set", () => {
		// The 49th attempt, still in flight at T0 - 1; the 50th, at T0, sets the lock.
		const s = failTimes(1, T0, failTimes(49, T0 - 1));
		const after = ceilingSucceeded(s, T0 - 1, locking);
		expect(after.lockedUntil).toBe(T0 + 15 * MINUTE);
		expect(total(after.buckets)).toBe(49);
	});
});

describe("the ceiling with Turnstile", () => {
	it("asks for a solved challenge once reached, counting nothing, and never locks", () => {
		const s = failTimes(50, T0, NO_FAILURES, turnstile);
		expect(s.lockedUntil).toBe(0);
		expect(admitPastCeiling(s, T0, turnstile, false)).toEqual({ admitted: false, turnstile: true });
		const proven = admitPastCeiling(s, T0, turnstile, true);
		expect(proven.admitted).toBe(true);
		if (proven.admitted) {
			expect(total(proven.state.buckets)).toBe(51);
			expect(proven.state.lockedUntil).toBe(0);
		}
	});

	it("does not ask below the ceiling", () => {
		expect(admitPastCeiling(failTimes(49, T0, NO_FAILURES, turnstile), T0, turnstile, false).admitted).toBe(true);
	});
});

describe("forgetting", () => {
	it("keeps the day's failures until the window passes, then forgets them", () => {
		const s = failTimes(3);
		expect(ceilingAtTime(s, T0 + DAY_MS - 1, locking)).toEqual(s);
		expect(ceilingAtTime(s, T0 + DAY_MS, locking)).toBe(NO_FAILURES);
		expect(ceilingForgetAt(s, locking)).toBe(T0 + DAY_MS);
	});

	it("a success takes its own attempt out of the count", () => {
		const s = failTimes(3);
		expect(total(ceilingSucceeded(s, T0, locking).buckets)).toBe(2);
	});

	it("outlives the window while a lock runs", () => {
		const p: CeilingPolicy = { maxFailures: 1, windowMs: MINUTE, lockoutMs: 15 * MINUTE };
		const s = failTimes(1, T0, NO_FAILURES, p);
		expect(ceilingForgetAt(s, p)).toBe(T0 + 15 * MINUTE);
		expect(ceilingAtTime(s, T0 + 2 * MINUTE, p).lockedUntil).toBe(T0 + 15 * MINUTE);
		expect(ceilingAtTime(s, T0 + 15 * MINUTE, p)).toBe(NO_FAILURES);
	});
});
