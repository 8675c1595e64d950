import { describe, expect, it } from "vitest";
import { consume, verifyRefusal, wrongGuess } from "../../src/otp/attempts";
import { cooldownRefusal } from "../../src/otp/cooldown";
import { atTime, nextWake, settle } from "../../src/otp/expiry";
import { delivered, issue, resendRefusal, revertSend } from "../../src/otp/sends";
import { type ChallengeState, EMPTY, holdsCode, type Registration } from "../../src/otp/state";
import { OTP_POLICY } from "../support/otp-policy";

const policy = OTP_POLICY;
const HOUR = 3_600_000;
const T0 = 1_700_000_000_000;
const reg: Registration = { name: "Ada", email: "ada@example.com", phone: "+14155552671", passwordHash: "$scrypt$x" };
const mac = new Uint8Array([1, 2, 3]);
/** A registration's code before its first send, as the object starts one. */
const FRESH: ChallengeState<Registration> = { ...EMPTY, id: "q1w2E3r4T5y6U7i8O9p0_A", network: "198.51.100.7" };

const SEND = { challengeId: "c-1", channel: "sms" as const };
const sent = (s: ChallengeState = FRESH, now = T0) => issue(s, reg, mac, s.generation + 1, now, policy, SEND);
const guessedWrong = (s: ChallengeState, times: number) =>
	Array.from({ length: times }).reduce<ChallengeState>((acc) => wrongGuess(acc, policy).state, s);

describe("cooldownRefusal", () => {
	it("lets a code that was never sent go", () => {
		expect(cooldownRefusal(FRESH, T0, policy)).toBeNull();
	});

	it("holds the cooldown from this code's last send, with Retry-After rounded up", () => {
		const s = sent();
		expect(cooldownRefusal(s, T0, policy)).toMatchObject({ code: "RATE_LIMITED", retryAfter: 30 });
		expect(cooldownRefusal(s, T0 + 1, policy)).toMatchObject({ code: "RATE_LIMITED", retryAfter: 30 });
		expect(cooldownRefusal(s, T0 + 29_001, policy)).toMatchObject({ code: "RATE_LIMITED", retryAfter: 1 });
		expect(cooldownRefusal(s, T0 + 29_999, policy)).toMatchObject({ code: "RATE_LIMITED", retryAfter: 1 });
		expect(cooldownRefusal(s, T0 + 30_000, policy)).toBeNull();
	});

	it("counts from the latest send, not the first", () => {
		const again = sent(sent(), T0 + 60_000);
		expect(cooldownRefusal(again, T0 + 60_000 + 10_000, policy)).toMatchObject({ retryAfter: 20 });
	});
});

describe("issue", () => {
	it("starts a fresh code: pending, no attempts, new generation, TTL from now, the registration's id kept", () => {
		const first = { ...wrongGuess(sent(), policy).state, messageId: "SM1", deliveryStatus: "delivered" };
		const second = issue(first, reg, mac, 2, T0 + 60_000, policy, { challengeId: "c-2", channel: "email" });
		expect(second).toEqual({
			id: FRESH.id,
			network: FRESH.network,
			status: "pending",
			subject: reg,
			codeMac: mac,
			attempts: 0,
			generation: 2,
			expiresAt: T0 + 60_000 + 300_000,
			lastSentAt: T0 + 60_000,
			challengeId: "c-2",
			channel: "email",
			// The previous send's delivery is not this one's; the channel joins the ones tried.
			messageId: null,
			deliveryStatus: null,
			deliveries: { sms: "queued", email: "queued" },
			locale: null,
			fallbackAt: 0,
			fellBack: false,
		});
	});
});

describe("atTime", () => {
	it("expires a held code at its deadline and drops the subject", () => {
		const s = sent();
		expect(atTime(s, T0 + 299_999)).toBe(s);
		const expired = atTime(s, T0 + 300_000);
		expect(expired).toMatchObject({ status: "expired", subject: null, codeMac: null, id: FRESH.id });
		expect(holdsCode(expired)).toBe(false);
		expect(atTime(guessedWrong(s, 3), T0 + 300_000)).toMatchObject({ status: "expired", subject: null });
	});

	it("leaves tombstones alone", () => {
		const consumed = consume(sent());
		expect(atTime(consumed, T0 + 10 * HOUR)).toBe(consumed);
	});
});

describe("guesses", () => {
	it("counts down attempts, then burns the code on the last one", () => {
		const one = wrongGuess(sent(), policy);
		expect(one.failure).toMatchObject({ code: "OTP_INVALID", attemptsRemaining: 2 });
		const two = wrongGuess(one.state, policy);
		expect(two.failure).toMatchObject({ code: "OTP_INVALID", attemptsRemaining: 1 });
		const three = wrongGuess(two.state, policy);
		expect(three.failure).toMatchObject({ code: "OTP_TOO_MANY_ATTEMPTS" });
		// Burned keeps the subject: a resend can issue a new code for it.
		expect(three.state).toMatchObject({ status: "burned", attempts: 3, codeMac: null, subject: reg });
		expect(holdsCode(three.state)).toBe(true);
		expect(verifyRefusal(three.state)).toMatchObject({ code: "OTP_TOO_MANY_ATTEMPTS" });
	});

	it("refuses verify for every state without a live code", () => {
		expect(verifyRefusal(FRESH)).toMatchObject({ code: "OTP_NOT_FOUND" });
		expect(verifyRefusal(consume(sent()))).toMatchObject({ code: "OTP_NOT_FOUND" });
		expect(verifyRefusal(atTime(sent(), T0 + 300_000))).toMatchObject({ code: "OTP_EXPIRED" });
		expect(verifyRefusal(sent())).toBeNull();
	});
});

describe("resendRefusal", () => {
	it("resends for a pending or burned registration only", () => {
		expect(resendRefusal(sent())).toBeNull();
		expect(resendRefusal(guessedWrong(sent(), 3))).toBeNull();
		expect(resendRefusal(FRESH)).toMatchObject({ code: "OTP_NOT_FOUND" });
		expect(resendRefusal(consume(sent()))).toMatchObject({ code: "OTP_NOT_FOUND" });
		expect(resendRefusal(atTime(sent(), T0 + 300_000))).toMatchObject({ code: "OTP_EXPIRED" });
	});
});

describe("revertSend", () => {
	it("restores the state before a failed first send: nothing held, and no cooldown", () => {
		const reverted = revertSend(FRESH, sent(), policy.maxAttempts);
		expect(reverted).toEqual(FRESH);
		expect(cooldownRefusal(reverted, T0 + 1, policy)).toBeNull();
	});

	it("revives the previous code but carries over guesses made meanwhile", () => {
		const before = wrongGuess(sent(), policy).state; // 1 attempt used
		const failed = wrongGuess(sent(before, T0 + 60_000), policy).state; // 1 guess on the unsent code
		const reverted = revertSend(before, failed, policy.maxAttempts);
		expect(reverted).toMatchObject({ status: "pending", attempts: 2, generation: 1, codeMac: mac, lastSentAt: T0 });
		const worse = guessedWrong(sent(before, T0 + 60_000), 2);
		expect(revertSend(before, worse, policy.maxAttempts)).toMatchObject({ status: "burned", codeMac: null });
	});
});

describe("consume", () => {
	it("leaves a tombstone without the subject or the MAC", () => {
		const s = sent();
		expect(consume(s)).toEqual({ ...s, status: "consumed", subject: null, codeMac: null });
		expect(holdsCode(consume(s))).toBe(false);
	});
});

describe("delivered", () => {
	const withMessage = { ...sent(), messageId: "SM1", deliveryStatus: "queued" };

	it("moves the latest send's status forward only", () => {
		const sentStatus = delivered(withMessage, "SM1", "sent");
		expect(sentStatus.deliveryStatus).toBe("sent");
		const done = delivered(sentStatus, "SM1", "delivered");
		expect(done.deliveryStatus).toBe("delivered");
		expect(delivered(done, "SM1", "sent")).toBe(done);
		expect(delivered(done, "SM1", "delivered")).toBe(done);
	});

	it("ignores a status for any other message (an earlier send's)", () => {
		expect(delivered(withMessage, "SM0", "delivered")).toBe(withMessage);
	});
});

describe("nextWake and settle", () => {
	const short = { ...policy, tombstoneMs: 60_000 };

	it("wakes at expiry while a code is held, pending or burned", () => {
		expect(nextWake(sent(), policy)).toBe(T0 + 300_000);
		expect(nextWake(guessedWrong(sent(), 3), policy)).toBe(T0 + 300_000);
		expect(settle(sent(), T0 + 1, policy)).toEqual(sent());
	});

	it("keeps a tombstone for its period after expiry, then nothing", () => {
		const expired = atTime(sent(), T0 + 300_000);
		expect(nextWake(expired, policy)).toBe(T0 + 300_000 + HOUR);
		expect(nextWake(expired, short)).toBe(T0 + 360_000);
		expect(nextWake(consume(sent()), short)).toBe(T0 + 360_000);
		expect(settle(expired, T0 + 359_999, short)).toBe(expired);
		// The send and fail marks are the ledger's (shares.ts): a code past its tombstone keeps nothing.
		expect(settle(expired, T0 + 360_000, short)).toBeNull();
		expect(settle(consume(sent()), T0 + 360_000, short)).toBeNull();
	});

	it("never wakes for, nor keeps, a code that holds nothing", () => {
		expect(nextWake(FRESH, policy)).toBe(0);
		expect(settle(FRESH, T0, policy)).toBeNull();
	});
});
