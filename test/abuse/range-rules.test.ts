import { describe, expect, it } from "vitest";
import {
	allowance,
	countVerified,
	FRESH_RANGE,
	judgeSend,
	type RangePolicy,
	type RangeState,
} from "../../src/abuse/range-rules";

const T0 = Date.UTC(2030, 0, 1);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The shipped room (wrangler.toml): 10 unverified sends a range, 3 a block, in an hour; history of 30 days. */
const policy: RangePolicy = {
	fastWindowMs: HOUR,
	rangeAllowance: 10,
	blockAllowance: 3,
	maxAllowance: 100,
	provenWindowMs: 30 * DAY,
};

/** Sends `n` codes to `blocks` in turn at `now`, each of which must be admitted. */
function sendAll(s: RangeState, blocks: string[], n: number, now = T0): RangeState {
	let state = s;
	for (let i = 0; i < n; i++) {
		const judged = judgeSend(state, blocks[i % blocks.length] as string, now, policy);
		expect(judged.verdict).toEqual({ verdict: "ok" });
		state = judged.state;
	}
	return state;
}

const blocks = (n: number) => Array.from({ length: n }, (_, i) => `+1876${String(200 + i)}`);

describe("a range without history", () => {
	it("takes ten unverified sends in the hour, then throttles the eleventh at once", () => {
		const s = sendAll(FRESH_RANGE, blocks(10), 10);
		const judged = judgeSend(s, "+1876999", T0, policy);
		expect(judged.verdict).toMatchObject({ verdict: "throttled", scope: "range" });
		// Not counted: a refused send takes no room.
		expect(judgeSend(judged.state, "+1876999", T0, policy).verdict).toMatchObject({ verdict: "throttled" });
	});

	it("gives a block three unverified sends, whatever room the range has", () => {
		const s = sendAll(FRESH_RANGE, ["+1876555"], 3);
		expect(judgeSend(s, "+1876555", T0, policy).verdict).toMatchObject({ verdict: "throttled", scope: "block" });
		expect(judgeSend(s, "+1876556", T0, policy).verdict).toEqual({ verdict: "ok" });
	});

	it("frees the room of each verified code at once", () => {
		let s = sendAll(FRESH_RANGE, ["+1876555"], 3);
		s = countVerified(s, "+1876555", T0 + MINUTE, policy);
		expect(judgeSend(s, "+1876555", T0 + MINUTE, policy).verdict).toEqual({ verdict: "ok" });
	});

	it("says when room comes back without a verification: when the oldest send leaves the hour", () => {
		const s = sendAll(FRESH_RANGE, blocks(10), 10);
		const judged = judgeSend(s, "+1876999", T0 + 10 * MINUTE, policy);
		expect(judged.verdict).toMatchObject({ verdict: "throttled", retryAfterMs: 50 * MINUTE });
		expect(judgeSend(s, "+1876999", T0 + HOUR + MINUTE, policy).verdict).toEqual({ verdict: "ok" });
	});

	it("gives a caller who solved a challenge twice the room, no more", () => {
		const s = sendAll(FRESH_RANGE, blocks(10), 10);
		let state = s;
		for (let i = 0; i < 10; i++) {
			const judged = judgeSend(state, `+1877${i}00`, T0, policy, { human: true });
			expect(judged.verdict).toEqual({ verdict: "ok" });
			state = judged.state;
		}
		expect(judgeSend(state, "+1877999", T0, policy, { human: true }).verdict).toMatchObject({ verdict: "throttled" });
	});
});

describe("a range with history", () => {
	it("earns one unverified send of room per code verified in the last 30 days, up to the maximum", () => {
		let s = FRESH_RANGE;
		for (let i = 0; i < 25; i++) {
			const block = `+1415${String(200 + i)}`;
			s = judgeSend(s, block, T0 + i * MINUTE, policy).state;
			s = countVerified(s, block, T0 + i * MINUTE, policy);
		}
		expect(allowance(s, policy.rangeAllowance, policy)).toBe(35);
		// Thirty days later the history is gone.
		const later = T0 + 31 * DAY;
		expect(allowance(judgeSend(s, "+1415999", later, policy).state, policy.rangeAllowance, policy)).toBe(10);
		const many = { ...s, proven: { "1": 500 } };
		expect(allowance(many, policy.rangeAllowance, policy)).toBe(100);
	});
});

describe("bounded state", () => {
	it("remembers at most 256 blocks, forgetting the quietest", () => {
		const roomy = { ...policy, rangeAllowance: 10_000, maxAllowance: 10_000 };
		let s = FRESH_RANGE;
		for (let i = 0; i < 300; i++) s = judgeSend(s, `+1876${1000 + i}`, T0, roomy).state;
		expect(Object.keys(s.blocks).length).toBeLessThanOrEqual(256);
	});
});
