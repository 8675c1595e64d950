import { describe, expect, it } from "vitest";
import { UNKNOWN_NETWORK } from "../../../src/abuse/client-network";
import { answer, tally } from "../../support/answer";
import { customerCount, uniquePhone } from "../../support/api";
import { challengeStub, setClock, storedChallenge } from "../../support/objects";
import { lastCode, smsTo, wrongCode } from "../../support/outbox";
import {
	pendingRegistration,
	registrationIdOf,
	resendOtp as resend,
	sendOtp as send,
	verifyOtp as verify,
} from "../../support/registration";

/**
 * Parallel requests for one phone must give the same result as some serial
 * order. Each test fires requests together and checks the multiset of answers
 * and the stored state against what a serial order allows.
 */
const AREA = "718";
const T0 = Date.UTC(2030, 0, 1);

const pending = (overrides = {}) => pendingRegistration(AREA, T0, overrides);

const answers = (responses: Promise<Response>[]) => Promise.all(responses.map((r) => answer(r)));

describe("parallel requests for one phone", () => {
	it("20 verifies with the right code create exactly one customer", async () => {
		const { phone, code } = await pending();
		const before = await customerCount();
		const results = await answers(Array.from({ length: 20 }, () => verify(phone, code)));
		expect(tally(results)).toEqual({ OK: 1, OTP_NOT_FOUND: 19 });
		expect(await customerCount()).toBe(before + 1);
	});

	it("20 wrong guesses count exactly the allowed attempts", async () => {
		const { phone, code } = await pending();
		const results = await answers(Array.from({ length: 20 }, () => verify(phone, wrongCode(code))));
		expect(tally(results)).toEqual({ OTP_INVALID: 2, OTP_TOO_MANY_ATTEMPTS: 18 });
		const remaining = results.filter((r) => r.body.code === "OTP_INVALID").map((r) => r.body.attemptsRemaining);
		expect(remaining.sort()).toEqual([1, 2]);
		expect(await storedChallenge(phone)).toMatchObject({ status: "burned", attempts: 3 });
		expect((await verify(phone, code)).status).toBe(429);
	});

	it("wrong guesses racing the right code: either it wins, or the code was burned first", async () => {
		const { phone, code } = await pending();
		const before = await customerCount();
		const results = await answers([
			...Array.from({ length: 5 }, () => verify(phone, wrongCode(code))),
			verify(phone, code),
			...Array.from({ length: 5 }, () => verify(phone, wrongCode(code))),
		]);
		const counts = tally(results);
		const registered = counts.OK === 1;
		expect((counts.OK ?? 0) + (registered ? 0 : 1)).toBe(1);
		expect(counts.OTP_INVALID ?? 0).toBeLessThanOrEqual(2);
		expect(await customerCount()).toBe(before + (registered ? 1 : 0));
		const row = await storedChallenge(phone);
		expect(row?.status).toBe(registered ? "consumed" : "burned");
	});

	it("20 parallel send-otp from one network start one registration and send one SMS; the rest are refused", async () => {
		const phone = uniquePhone(AREA);
		await setClock(phone, T0);
		const results = await answers(Array.from({ length: 20 }, () => send(phone)));
		expect(tally(results)).toEqual({ OK: 1, RATE_LIMITED: 19 });
		for (const r of results.filter((r) => r.status === 429))
			expect(r.body.message).toMatch(/already pending from your network/);
		expect(await smsTo(phone)).toHaveLength(1);
		expect((await verify(phone, await lastCode(phone))).status).toBe(201);
	});

	it("20 parallel send-otp editing one registration (its id) send exactly one SMS; the rest meet the cooldown", async () => {
		const { phone } = await pending();
		const id = registrationIdOf(phone);
		await setClock(phone, T0 + 30_000);
		const results = await answers(Array.from({ length: 20 }, () => send(phone, { name: "Grace Hopper" })));
		expect(tally(results)).toEqual({ OK: 1, RATE_LIMITED: 19 });
		for (const r of results.filter((r) => r.status === 429)) expect(r.body.message).toMatch(/Wait before/);
		expect(results.find((r) => r.status === 200)?.body.registrationId).toBe(id);
		expect(await smsTo(phone)).toHaveLength(2);
		expect((await verify(phone, await lastCode(phone))).status).toBe(201);
	});

	it("10 parallel resends send exactly one new code, and it is the one that works", async () => {
		const { phone } = await pending();
		await setClock(phone, T0 + 30_000);
		const results = await answers(Array.from({ length: 10 }, () => resend(phone)));
		expect(tally(results)).toEqual({ OK: 1, RATE_LIMITED: 9 });
		expect(await smsTo(phone)).toHaveLength(2);
		expect((await verify(phone, await lastCode(phone))).status).toBe(201);
	});

	it("a verify racing a resend is either the old code's success or the old code's rejection", async () => {
		const { phone, code } = await pending();
		await setClock(phone, T0 + 30_000);
		const [v, r] = await answers([verify(phone, code), resend(phone)]);
		if (v?.status === 201) {
			expect(r?.body.code).toBe("OTP_NOT_FOUND");
		} else {
			expect(r?.status).toBe(200);
			expect(v?.body.code).toBe("OTP_INVALID");
			expect((await verify(phone, await lastCode(phone))).status).toBe(201);
		}
	});
});

// Straight to the object, the calls arrive closer together than through HTTP,
// so these catch a state committed after an await rather than before it.
describe("parallel RPCs to one phone's object", () => {
	/** What the handlers pass for a request without CF-Connecting-IP. */
	const CALLER = { network: UNKNOWN_NETWORK };

	it("20 verifies with the right code: one gets the registration, 19 find nothing pending", async () => {
		const { phone, code } = await pending();
		const stub = challengeStub(phone);
		const id = registrationIdOf(phone);
		const results = await Promise.all(Array.from({ length: 20 }, () => stub.verify(code, id, CALLER)));
		expect(tally(results.map((r) => ({ body: r.ok ? {} : { code: r.code } })))).toEqual({ OK: 1, OTP_NOT_FOUND: 19 });
		expect(results.find((r) => r.ok)).toMatchObject({ ok: true, id, subject: { phone } });
		expect(results.filter((r) => r.counted)).toEqual([]);
	});

	it("20 wrong guesses: exactly three attempts counted", async () => {
		const { phone, code } = await pending();
		const stub = challengeStub(phone);
		const id = registrationIdOf(phone);
		const results = await Promise.all(Array.from({ length: 20 }, () => stub.verify(wrongCode(code), id, CALLER)));
		expect(tally(results.map((r) => ({ body: r.ok ? {} : { code: r.code } })))).toEqual({
			OTP_INVALID: 2,
			OTP_TOO_MANY_ATTEMPTS: 18,
		});
		// Exactly the guesses checked against the code are counted (the handler keeps their network's allowance).
		expect(results.filter((r) => r.counted)).toHaveLength(3);
		expect(await storedChallenge(phone)).toMatchObject({ status: "burned", attempts: 3 });
	});

	it("10 resends: one new code", async () => {
		const { phone, code } = await pending();
		await setClock(phone, T0 + 30_000);
		const stub = challengeStub(phone);
		const id = registrationIdOf(phone);
		const results = await Promise.all(Array.from({ length: 10 }, () => stub.resend("sms", id, CALLER)));
		const issued = results.filter((r) => r.ok);
		expect(issued).toHaveLength(1);
		expect(issued[0]).toMatchObject({ id, generation: 2, code: expect.stringMatching(/^\d{6}$/) });
		expect((await stub.verify(code, id, CALLER)).ok).toBe(false);
	});
});

describe("parallel registrations that collide", () => {
	it("two phones pending with one email: the first verify wins, the other gets 409", async () => {
		const email = `shared.${Date.now()}@example.com`;
		const a = await pending({ email });
		const b = await pending({ email: email.toUpperCase() });
		const before = await customerCount();
		const results = await answers([verify(a.phone, a.code), verify(b.phone, b.code)]);
		expect(tally(results)).toEqual({ OK: 1, CUSTOMER_EXISTS: 1 });
		const loser = results.find((r) => r.status === 409);
		expect(loser?.body).toMatchObject({ success: false, field: "email" });
		expect(await customerCount()).toBe(before + 1);
	});

	it("ten phones racing for one email register exactly one customer", async () => {
		const email = `race.${Date.now()}@example.com`;
		const all = [];
		for (let i = 0; i < 10; i++) all.push(await pending({ email }));
		const before = await customerCount();
		const results = await answers(all.map(({ phone, code }) => verify(phone, code)));
		expect(tally(results)).toEqual({ OK: 1, CUSTOMER_EXISTS: 9 });
		expect(await customerCount()).toBe(before + 1);
	});
});
