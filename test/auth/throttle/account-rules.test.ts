import { describe, expect, it } from "vitest";
import { total } from "../../../src/abuse/counter-rules";
import {
	type AccountPolicy,
	type AccountState,
	accountAtTime,
	accountForgetAt,
	accountSucceeded,
	admitToAccount,
	MAX_NETWORKS,
	NOTHING,
} from "../../../src/auth/throttle/account-rules";
import { DAY_MS } from "../../../src/auth/throttle/ceiling";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const T0 = Date.UTC(2030, 0, 1);
const A = "203.0.113.7";
const B = "198.51.100.9";

const policy: AccountPolicy = {
	network: { maxFailures: 5, lockoutsMs: [MINUTE, 5 * MINUTE, 15 * MINUTE], windowMs: DAY_MS },
	ceiling: { maxFailures: 50, windowMs: DAY_MS, lockoutMs: 15 * MINUTE },
};

/** Admits `n` attempts from `network` at `now`, each of which must be admitted. */
function failFrom(network: string, n: number, s: AccountState = NOTHING, now = T0, p = policy): AccountState {
	let state = s;
	for (let i = 0; i < n; i++) {
		const verdict = admitToAccount(state, network, now, p, false);
		if (!verdict.admitted) throw new Error(`attempt ${i + 1} from ${network} refused: ${JSON.stringify(verdict)}`);
		state = verdict.state;
	}
	return state;
}

const refusal = (s: AccountState, network: string, now = T0, p = policy) => {
	const verdict = admitToAccount(s, network, now, p, false);
	return verdict.admitted ? null : verdict;
};

describe("per (account, client network)", () => {
	it("locks the network that made 5 failures, and no other", () => {
		const s = failFrom(A, 5);
		expect(refusal(s, A)).toMatchObject({ failure: { code: "RATE_LIMITED", retryAfter: 60 } });
		expect(refusal(s, B)).toBeNull();
	});

	it("a refused attempt counts nothing, at the network or under the ceiling", () => {
		const s = failFrom(A, 5);
		expect(refusal(s, A, T0 + SECOND)).not.toBeNull();
		expect(s.networks[A]?.failures).toBe(5);
		expect(total(s.ceiling.buckets)).toBe(5);
	});

	it("a success starts its own network over, and leaves the others locked", () => {
		const s = failFrom(B, 4, failFrom(A, 5));
		const succeeded = accountSucceeded(failFrom(B, 1, s), B, T0, T0, policy);
		expect(succeeded.networks[B]).toBeUndefined();
		expect(refusal(succeeded, A)).toMatchObject({ failure: { code: "RATE_LIMITED" } });
		// The ceiling forgets the successful attempt only: 5 + 4 failures remain.
		expect(total(succeeded.ceiling.buckets)).toBe(9);
	});

	it("remembers at most MAX_NETWORKS networks, forgetting the least recently seen", () => {
		const wide: AccountPolicy = { ...policy, ceiling: { ...policy.ceiling, maxFailures: 10_000 } };
		let s = NOTHING;
		for (let i = 0; i < MAX_NETWORKS + 20; i++) s = failFrom(`n${i}`, 1, s, T0 + i, wide);
		const kept = Object.keys(s.networks);
		expect(kept).toHaveLength(MAX_NETWORKS);
		expect(kept).toContain(`n${MAX_NETWORKS + 19}`);
		expect(kept).not.toContain("n19");
		expect(kept).toContain("n20");
		// The newest network is kept even when every other was seen at the same time.
		let same = NOTHING;
		for (let i = 0; i <= MAX_NETWORKS; i++) same = failFrom(`m${i}`, 1, same, T0, wide);
		expect(Object.keys(same.networks)).toHaveLength(MAX_NETWORKS);
		expect(same.networks[`m${MAX_NETWORKS}`]).toBeDefined();
	});
});

describe("the ceiling over every network", () => {
	/** 50 failures from ten networks, five each: every network locked, the ceiling reached. */
	const atCeiling = () => {
		let s = NOTHING;
		for (let i = 0; i < 10; i++) s = failFrom(`10.0.0.${i}`, 5, s);
		return s;
	};

	it("is checked after the network: a locked network gets the network's answer", () => {
		const s = atCeiling();
		expect(refusal(s, "10.0.0.0", T0 + SECOND)).toMatchObject({ failure: { retryAfter: 59 } });
		expect(refusal(s, "a fresh network", T0 + SECOND)).toMatchObject({
			failure: { code: "RATE_LIMITED", retryAfter: 15 * 60 - 1 },
		});
	});

	it("with Turnstile, asks a fresh network for a solved challenge, counting nothing until then", () => {
		const p: AccountPolicy = { ...policy, ceiling: { ...policy.ceiling, lockoutMs: null } };
		let s = NOTHING;
		for (let i = 0; i < 10; i++) s = failFrom(`10.0.0.${i}`, 5, s, T0, p);
		expect(admitToAccount(s, B, T0, p, false)).toEqual({ admitted: false, turnstile: true });
		const proven = admitToAccount(s, B, T0, p, true);
		expect(proven.admitted && proven.state.networks[B]?.failures).toBe(1);
	});
});

describe("forgetting", () => {
	it("drops networks and the ceiling's failures a day after the last attempt", () => {
		const s = failFrom(B, 1, failFrom(A, 2), T0 + 30 * MINUTE);
		expect(accountForgetAt(s, policy)).toBe(T0 + DAY_MS + 30 * MINUTE);
		const later = accountAtTime(s, T0 + DAY_MS, policy);
		expect(Object.keys(later.networks)).toEqual([B]);
		expect(total(later.ceiling.buckets)).toBe(1);
		expect(accountAtTime(s, T0 + DAY_MS + 30 * MINUTE, policy)).toBe(NOTHING);
	});
});
