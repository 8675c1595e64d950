import { describe, expect, it } from "vitest";
import {
	atTime,
	type ChallengeState,
	consume,
	EMPTY,
	issue,
	nextWake,
	type Registration,
	resendRefusal,
	revertSend,
	sendRefusal,
	settle,
	verifyRefusal,
	wrongGuess,
} from "../../src/challenge/rules";
import type { OtpPolicy } from "../../src/config/config";

const policy: OtpPolicy = {
	ttlMs: 300_000,
	maxAttempts: 3,
	cooldownMs: 30_000,
	maxSendsPerHour: 5,
	maxSendsPerDay: 10,
	maxFailedPerDay: 10,
	tombstoneMs: 3_600_000,
};
const HOUR = 3_600_000;
const T0 = 1_700_000_000_000;
const reg: Registration = { name: "Ada", email: "ada@example.com", phone: "+14155552671", passwordHash: "$scrypt$x" };
const mac = new Uint8Array([1, 2, 3]);

const SEND = { challengeId: "c-1", channel: "sms" as const };
const sent = (s: ChallengeState = EMPTY, now = T0) => issue(s, reg, mac, s.generation + 1, now, policy, SEND);

describe("sendRefusal", () => {
	it("lets the first send go", () => {
		expect(sendRefusal(EMPTY, T0, policy)).toBeNull();
	});

	it("holds the cooldown from the last send, with Retry-After rounded up", () => {
		const s = sent();
		expect(sendRefusal(s, T0 + 1, policy)).toMatchObject({ code: "RATE_LIMITED", retryAfter: 30 });
		expect(sendRefusal(s, T0 + 29_001, policy)).toMatchObject({ code: "RATE_LIMITED", retryAfter: 1 });
		expect(sendRefusal(s, T0 + 30_000, policy)).toBeNull();
	});

	it("caps sends per rolling hour and says when the oldest leaves the window", () => {
		let s: ChallengeState = EMPTY;
		for (let i = 0; i < 5; i++) s = sent(s, T0 + i * 60_000);
		const now = T0 + 10 * 60_000;
		expect(sendRefusal(s, now, policy)).toMatchObject({ code: "RATE_LIMITED", retryAfter: (HOUR - 600_000) / 1000 });
		expect(sendRefusal(s, T0 + HOUR + 1, policy)).toBeNull();
	});

	it("keeps the send log bounded to the last day", () => {
		let s: ChallengeState = EMPTY;
		for (let i = 0; i < 4; i++) s = sent(s, T0 + i * 12 * HOUR);
		expect(s.sendLog).toEqual([T0 + 24 * HOUR, T0 + 36 * HOUR]);
	});
});

describe("issue", () => {
	it("starts a fresh code: pending, no attempts, new generation, TTL from now", () => {
		const first = wrongGuess(sent(), T0, policy).state;
		const second = sent(first, T0 + 60_000);
		expect(second).toMatchObject({
			status: "pending",
			attempts: 0,
			generation: 2,
			expiresAt: T0 + 60_000 + 300_000,
			lastSentAt: T0 + 60_000,
			subject: reg,
		});
	});
});

describe("atTime", () => {
	it("expires a held code at its deadline and drops the registration", () => {
		const s = sent();
		expect(atTime(s, T0 + 299_999)).toBe(s);
		const expired = atTime(s, T0 + 300_000);
		expect(expired).toMatchObject({ status: "expired", subject: null, codeMac: null });
		expect(
			atTime(wrongGuess(wrongGuess(wrongGuess(s, T0, policy).state, T0, policy).state, T0, policy).state, T0 + 300_000),
		).toMatchObject({ status: "expired", subject: null });
	});

	it("leaves tombstones alone", () => {
		const consumed = consume(sent());
		expect(atTime(consumed, T0 + 10 * HOUR)).toBe(consumed);
	});
});

describe("guesses", () => {
	it("counts down attempts, then burns the code on the last one", () => {
		const one = wrongGuess(sent(), T0, policy);
		expect(one.failure).toMatchObject({ code: "OTP_INVALID", attemptsRemaining: 2 });
		const two = wrongGuess(one.state, T0, policy);
		expect(two.failure).toMatchObject({ code: "OTP_INVALID", attemptsRemaining: 1 });
		const three = wrongGuess(two.state, T0, policy);
		expect(three.failure).toMatchObject({ code: "OTP_TOO_MANY_ATTEMPTS" });
		expect(three.state).toMatchObject({ status: "burned", codeMac: null, subject: reg });
		expect(verifyRefusal(three.state, T0, policy)).toMatchObject({ code: "OTP_TOO_MANY_ATTEMPTS" });
	});

	it("refuses verify for every state without a live code", () => {
		expect(verifyRefusal(EMPTY, T0, policy)).toMatchObject({ code: "OTP_NOT_FOUND" });
		expect(verifyRefusal(consume(sent()), T0, policy)).toMatchObject({ code: "OTP_NOT_FOUND" });
		expect(verifyRefusal(atTime(sent(), T0 + 300_000), T0, policy)).toMatchObject({ code: "OTP_EXPIRED" });
		expect(verifyRefusal(sent(), T0, policy)).toBeNull();
	});
});

describe("resendRefusal", () => {
	it("resends for a pending or burned registration only", () => {
		expect(resendRefusal(sent())).toBeNull();
		const burned = [1, 2, 3].reduce((s) => wrongGuess(s, T0, policy).state, sent());
		expect(resendRefusal(burned)).toBeNull();
		expect(resendRefusal(EMPTY)).toMatchObject({ code: "OTP_NOT_FOUND" });
		expect(resendRefusal(consume(sent()))).toMatchObject({ code: "OTP_NOT_FOUND" });
		expect(resendRefusal(atTime(sent(), T0 + 300_000))).toMatchObject({ code: "OTP_EXPIRED" });
	});
});

describe("revertSend", () => {
	it("restores the state before a failed first send, keeping the send in the hourly log", () => {
		const failed = sent();
		const reverted = revertSend(EMPTY, failed, policy.maxAttempts);
		expect(reverted).toMatchObject({ status: "none", subject: null, lastSentAt: 0, sendLog: [T0] });
		expect(sendRefusal(reverted, T0 + 1, policy)).toBeNull();
	});

	it("revives the previous code but carries over guesses made meanwhile", () => {
		const before = wrongGuess(sent(), T0, policy).state; // 1 attempt used
		const failed = wrongGuess(sent(before, T0 + 60_000), T0, policy).state; // 1 guess on the unsent code
		const reverted = revertSend(before, failed, policy.maxAttempts);
		expect(reverted).toMatchObject({ status: "pending", attempts: 2, generation: 1, codeMac: mac });
		const worse = wrongGuess(wrongGuess(sent(before, T0 + 60_000), T0, policy).state, T0, policy).state;
		expect(revertSend(before, worse, policy.maxAttempts)).toMatchObject({ status: "burned", codeMac: null });
	});
});

describe("nextWake", () => {
	it("wakes at expiry while a code is held", () => {
		expect(nextWake(sent(), policy)).toBe(T0 + 300_000);
	});

	it("wakes at a tombstone's end, then when the daily logs run out", () => {
		const expired = atTime(sent(), T0 + 300_000);
		expect(nextWake(expired, policy)).toBe(T0 + 300_000 + HOUR);
		const short = { ...policy, tombstoneMs: 60_000 };
		expect(nextWake(expired, short)).toBe(T0 + 360_000);
		expect(nextWake(consume(sent()), short)).toBe(T0 + 360_000);
		const settled = settle(expired, T0 + 360_000, short);
		expect(settled).toMatchObject({ status: "none", subject: null, sendLog: [T0] });
		expect(nextWake(settled as ChallengeState, short)).toBe(T0 + 24 * HOUR);
		expect(settle(settled as ChallengeState, T0 + 24 * HOUR, short)).toBeNull();
		expect(settle(expired, T0 + 359_999, short)).toBe(expired);
	});
});
