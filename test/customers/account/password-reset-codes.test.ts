import { describe, expect, it } from "vitest";
import { UNKNOWN_NETWORK } from "../../../src/abuse/client-network";
import { answer } from "../../support/answer";
import { login, uniquePhone } from "../../support/api";
import { challengeStub, setClock, storedChallenge, storedMarks } from "../../support/objects";
import { lastCode, smsTo, wrongCode } from "../../support/outbox";
import { resetCode, resetSms, sendReset, verifyReset } from "../../support/password-reset";
import { registeredCustomer, sendOtp, verifyOtp } from "../../support/registration";

const AREA = "628";
const T0 = Date.UTC(2030, 0, 1);
const SECOND = 1000;
const HOUR = 3_600_000;
const NEW_PASSWORD = "another long passphrase";
/** What the handlers pass for a request without CF-Connecting-IP. */
const CALLER = { network: UNKNOWN_NETWORK };

/** A registered customer whose phone object runs on a clock set to `T0`. */
async function customerAtT0() {
	const c = await registeredCustomer(AREA);
	await setClock(c.phone, T0);
	return c;
}

describe("attempts", () => {
	it("allows 3 wrong codes, then refuses even the right one and keeps the old password", async () => {
		const c = await customerAtT0();
		await sendReset(c.phone);
		const code = await resetCode(c.phone);
		const guesses = [];
		for (let i = 0; i < 3; i++) guesses.push(await answer(await verifyReset(c.phone, wrongCode(code), NEW_PASSWORD)));
		expect(guesses).toMatchObject([
			{ status: 400, body: { success: false, code: "OTP_INVALID", attemptsRemaining: 2 } },
			{ status: 400, body: { code: "OTP_INVALID", attemptsRemaining: 1 } },
			{ status: 429, body: { code: "OTP_TOO_MANY_ATTEMPTS" } },
		]);
		expect((await verifyReset(c.phone, code, NEW_PASSWORD)).status).toBe(429);
		expect((await login({ email: c.email, password: NEW_PASSWORD })).status).toBe(401);
		expect((await login({ email: c.email, password: c.password })).status).toBe(200);

		// A new code after the cooldown works.
		await setClock(c.phone, T0 + 30 * SECOND);
		await sendReset(c.phone);
		expect((await verifyReset(c.phone, await resetCode(c.phone), NEW_PASSWORD)).status).toBe(200);
	});
});

describe("expiry", () => {
	it("answers OTP_EXPIRED after 300 s, for a registered phone and a decoy alike", async () => {
		const c = await customerAtT0();
		const unknown = uniquePhone(AREA);
		await setClock(unknown, T0);
		await sendReset(c.phone);
		await sendReset(unknown);
		const code = await resetCode(c.phone);
		await setClock(c.phone, T0 + 300 * SECOND);
		await setClock(unknown, T0 + 300 * SECOND);

		const expired = await answer(await verifyReset(c.phone, code, NEW_PASSWORD));
		expect(expired).toMatchObject({ status: 410, body: { code: "OTP_EXPIRED" } });
		expect(await answer(await verifyReset(unknown, code, NEW_PASSWORD))).toEqual(expired);
		expect((await login({ email: c.email, password: c.password })).status).toBe(200);
	});

	it("still works one second before expiry", async () => {
		const c = await customerAtT0();
		await sendReset(c.phone);
		await setClock(c.phone, T0 + 299 * SECOND);
		expect((await verifyReset(c.phone, await resetCode(c.phone), NEW_PASSWORD)).status).toBe(200);
	});
});

describe("sending", () => {
	it("holds a 30 s cooldown: a second send answers 200 but texts nothing; a later one replaces the code", async () => {
		const c = await customerAtT0();
		const first = await answer(await sendReset(c.phone));
		const firstCode = await resetCode(c.phone);
		await setClock(c.phone, T0 + 29 * SECOND);
		expect(await answer(await sendReset(c.phone))).toEqual(first);
		expect(await resetSms(c.phone)).toHaveLength(1);
		expect(await storedChallenge(c.phone, "reset")).toMatchObject({ last_sent_at: T0 });

		await setClock(c.phone, T0 + 30 * SECOND);
		await sendReset(c.phone);
		expect(await resetSms(c.phone)).toHaveLength(2);
		const secondCode = await resetCode(c.phone);
		expect((await verifyReset(c.phone, firstCode, NEW_PASSWORD)).status).toBe(400);
		expect((await verifyReset(c.phone, secondCode, NEW_PASSWORD)).status).toBe(200);
	});

	it("texts at most 5 codes an hour, and keeps a decoy's send marks the same way", async () => {
		const c = await customerAtT0();
		const unknown = uniquePhone(AREA);
		const sendBoth = async (at: number) => {
			for (const phone of [c.phone, unknown]) {
				await setClock(phone, at);
				expect((await sendReset(phone)).status).toBe(200);
			}
		};
		for (let i = 0; i < 6; i++) await sendBoth(T0 + i * 30 * SECOND);
		expect(await resetSms(c.phone)).toHaveLength(5);
		const realMarks = await storedMarks(c.phone, "send", "reset");
		expect(realMarks).toEqual([0, 1, 2, 3, 4].map((i) => T0 + i * 30 * SECOND));
		expect(await storedMarks(unknown, "send", "reset")).toEqual(realMarks);
		// A reset's sends are its own: the registration's one send is all the register flow holds.
		expect(await storedMarks(c.phone, "send", "register")).toHaveLength(1);
		expect(await storedMarks(unknown, "send", "register")).toEqual([]);
		expect((await storedChallenge(c.phone, "reset"))?.last_sent_at).toBe(T0 + 120 * SECOND);
		expect((await storedChallenge(unknown, "reset"))?.last_sent_at).toBe(T0 + 120 * SECOND);

		await sendBoth(T0 + HOUR);
		expect(await resetSms(c.phone)).toHaveLength(6);
		expect((await storedChallenge(unknown, "reset"))?.last_sent_at).toBe(T0 + HOUR);
		expect(await smsTo(unknown)).toEqual([]);
	});
});

describe("a reset and a registration at one phone", () => {
	it("keep their own codes: neither code works for the other purpose, neither disturbs the other", async () => {
		const c = await registeredCustomer(AREA);
		const stub = challengeStub(c.phone);
		// Past the cooldown of the registration that created the customer.
		await setClock(c.phone, Date.now() + 31 * SECOND);
		const registration = {
			name: "Someone Else",
			email: `someone-${c.customerId}@example.com`,
			phone: c.phone,
			passwordHash: "not-a-real-hash",
		};
		const started = await stub.start(registration, undefined, CALLER);
		expect(started).toMatchObject({ ok: true, id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) });
		const id = started.ok ? started.id : undefined;
		const registerCode = started.ok ? (started.code as string) : "";
		const reset = await stub.startReset(c.customerId, c.phone, CALLER);
		expect(reset).toMatchObject({ ok: true, purpose: "reset" });
		const code = reset.ok ? (reset.code as string) : "";
		expect(code).not.toBe(registerCode);

		expect(await stub.verifyReset(registerCode, CALLER)).toMatchObject({
			ok: false,
			code: "OTP_INVALID",
		});
		expect(await stub.verify(code, id, CALLER)).toMatchObject({ ok: false, code: "OTP_INVALID", attemptsRemaining: 2 });
		expect(await storedChallenge(c.phone, "register", id)).toMatchObject({ status: "pending", attempts: 1 });
		expect(await storedChallenge(c.phone, "reset")).toMatchObject({ status: "pending", attempts: 1 });

		expect(await stub.verifyReset(code, CALLER)).toMatchObject({ ok: true, subject: { customerId: c.customerId } });
		expect(await storedChallenge(c.phone, "register", id)).toMatchObject({ status: "pending", attempts: 1 });
		// The registration code is still good.
		expect(await stub.verify(registerCode, id, CALLER)).toMatchObject({ ok: true, id, subject: { phone: c.phone } });
	});

	it("a reset asked for an unregistered phone leaves its pending registration alone", async () => {
		const phone = uniquePhone(AREA);
		expect((await sendOtp(phone)).status).toBe(200);
		const registerCode = await lastCode(phone);
		expect((await sendReset(phone)).status).toBe(200);
		expect(await smsTo(phone)).toHaveLength(1);
		// The registration code is no reset code, even at the decoy.
		expect((await verifyReset(phone, registerCode, NEW_PASSWORD)).status).toBe(400);
		expect((await verifyOtp(phone, registerCode)).status).toBe(201);
	});
});
