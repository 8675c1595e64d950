import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { guardPolicy } from "../../src/abuse/clear-to-send";
import { prefixGuardFor } from "../../src/abuse/prefix-guard";
import { getConfig } from "../../src/config/config";
import { phoneOf } from "../../src/phone/parse";
import { post, uniquePhone, withToken } from "../support/api";
import {
	emailAt,
	NOBODYS_ID,
	pendingWithEmail,
	statusQuery,
	storedDelivery,
	verificationsOf,
} from "../support/email-fallback";
import { moveObjectClock, setClock, storedChallenge } from "../support/objects";
import { emailsTo, lastCode, lastEmailCode, smsTo, wrongCode } from "../support/outbox";
import { registrationIdOf, resendOtp as resend, sendOtp as send, verifyOtp as verify } from "../support/registration";

// The email fallback of resend-otp (`channel: "email"`): see test/support/email-fallback.ts.

const AREA = "660";
const T0 = Date.UTC(2030, 2, 1);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const FROM = "Acme <verify@acme.test>";

/** A registration pending since `at` (on its object's clock), its address, and the SMS code it got. */
const pending = (at = T0, overrides: Record<string, unknown> = {}, area = AREA) =>
	pendingWithEmail(area, at, overrides);

describe("resend-otp with channel email", () => {
	it("mails a new code to the registration's address and texts nothing", async () => {
		const { phone, email } = await pending();
		const res = await emailAt(phone, T0 + 31 * SECOND);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({
			success: true,
			message: "OTP sent to the registration's email address",
			phone,
			registrationId: registrationIdOf(phone),
			channel: "email",
			delivery: "sent",
			expiresIn: 300,
		});

		const emails = await emailsTo(email);
		expect(emails).toHaveLength(1);
		const [mail] = emails;
		expect(mail).toMatchObject({ from: FROM, to: [email], subject: "Acme verification code" });
		const code = await lastEmailCode(email);
		expect(mail?.text).toContain(`Your Acme verification code is ${code}.`);
		expect(mail?.text).toContain("5 minutes");
		expect(mail?.html).toContain(code);
		// The SMS of send-otp is the only one.
		expect(await smsTo(phone)).toHaveLength(1);
		expect(await storedDelivery(phone)).toMatchObject({
			channel: "email",
			messageId: mail?.id,
			deliveryStatus: "sent",
		});
		const status = await exports.default.fetch(`http://localhost/api/customers/otp-status?${statusQuery(phone)}`);
		expect(await status.json()).toMatchObject({
			status: "pending",
			channel: "email",
			delivery: "sent",
			attemptsRemaining: 3,
			emailFallback: true,
		});
	});

	it("its code creates the customer with the email verified and the phone not", async () => {
		const { phone, email } = await pending();
		expect((await emailAt(phone, T0 + 31 * SECOND)).status).toBe(200);
		await setClock(phone, T0 + 40 * SECOND);
		const ok = await verify(phone, await lastEmailCode(email));
		expect(ok.status).toBe(201);
		const { customerId, accessToken } = (await ok.json()) as { customerId: number; accessToken: string };

		const me = await withToken("/api/customers/me", accessToken);
		expect(me.status).toBe(200);
		expect(await me.json()).toMatchObject({
			customer: {
				id: customerId,
				email,
				phone,
				emailVerifiedAt: new Date(T0 + 40 * SECOND).toISOString(),
				phoneVerifiedAt: null,
			},
		});
		expect(await verificationsOf(phone)).toEqual({
			id: customerId,
			email,
			phone_verified_at: null,
			email_verified_at: T0 + 40 * SECOND,
		});
	});

	it("kills the SMS code sent before it", async () => {
		const { phone, email, smsCode } = await pending();
		expect((await emailAt(phone, T0 + 31 * SECOND)).status).toBe(200);
		const emailCode = await lastEmailCode(email);
		if (emailCode !== smsCode) {
			const old = await verify(phone, smsCode);
			expect(old.status).toBe(400);
			expect(await old.json()).toMatchObject({ code: "OTP_INVALID", attemptsRemaining: 2 });
		}
		expect(await storedChallenge(phone)).toMatchObject({ status: "pending", generation: 2 });
		expect((await verify(phone, emailCode)).status).toBe(201);
	});

	it("is itself replaced by a later SMS resend, whose code then verifies the phone", async () => {
		const { phone, email } = await pending();
		expect((await emailAt(phone, T0 + 31 * SECOND)).status).toBe(200);
		const emailCode = await lastEmailCode(email);
		await setClock(phone, T0 + 62 * SECOND);
		expect((await resend(phone, "sms")).status).toBe(200);
		const smsCode = await lastCode(phone);
		expect(await smsTo(phone)).toHaveLength(2);
		if (emailCode !== smsCode) expect((await verify(phone, emailCode)).status).toBe(400);
		expect((await verify(phone, smsCode)).status).toBe(201);
		expect(await verificationsOf(phone)).toMatchObject({
			phone_verified_at: T0 + 62 * SECOND,
			email_verified_at: null,
		});
	});

	it("still goes while SMS to the number's range is blocked, which is what it is for", async () => {
		const { phone, email } = await pending();
		const guard = prefixGuardFor(env, phoneOf(phone));
		const setGuardClock = (ms: number) => moveObjectClock(guard, ms);
		// On the guard's own clock, 20 sends to the range that never verify: it blocks the range.
		const G = Date.UTC(2031, 0, 1);
		const policy = guardPolicy(getConfig(env));
		const block = phoneOf(phone).block;
		try {
			await setGuardClock(G);
			for (let i = 0; i < 20; i++) expect(await guard.admit(block, policy)).toMatchObject({ verdict: "ok" });
			await setGuardClock(G + 6 * MINUTE);
			expect(await guard.admit(block, policy)).toMatchObject({ verdict: "blocked", retryAfterMs: HOUR });

			await setClock(phone, T0 + 31 * SECOND);
			const sms = await resend(phone, "sms");
			expect(sms.status).toBe(503);
			expect(await sms.json()).toMatchObject({ code: "SMS_PREFIX_BLOCKED" });
			const mail = await resend(phone, "email");
			expect(mail.status).toBe(200);
			expect((await verify(phone, await lastEmailCode(email))).status).toBe(201);
		} finally {
			// Days later the range's history is out of the window: the other tests of this file may text it.
			await setGuardClock(G + 3 * 24 * HOUR);
		}
	});

	it("goes only to the registration's address, whatever else the body says", async () => {
		const { phone, email } = await pending();
		const elsewhere = `attacker.${phone.slice(1)}@evil.test`;
		await setClock(phone, T0 + 31 * SECOND);
		const res = await post("/api/customers/resend-otp", {
			phone,
			registrationId: registrationIdOf(phone),
			channel: "email",
			email: elsewhere,
			to: elsewhere,
			registration: { email: elsewhere },
		});
		expect(res.status).toBe(200);
		expect(await emailsTo(elsewhere)).toEqual([]);
		expect(await emailsTo(email)).toHaveLength(1);
		expect((await emailsTo(email))[0]?.to).toEqual([email]);
	});

	it("uses the address as send-otp normalised it", async () => {
		const phone = uniquePhone(AREA);
		const typed = `  Ada.${phone.slice(1)}@Example.COM `;
		const normalised = `ada.${phone.slice(1)}@example.com`;
		await setClock(phone, T0);
		expect((await send(phone, { email: typed })).status).toBe(200);
		expect((await emailAt(phone, T0 + 31 * SECOND)).status).toBe(200);
		const emails = await emailsTo(normalised);
		expect(emails.map((e) => e.to)).toEqual([[normalised]]);
	});

	it("gives fresh tries to a registration whose code took its last wrong guess", async () => {
		const { phone, email, smsCode } = await pending();
		for (let i = 0; i < 3; i++) await verify(phone, wrongCode(smsCode));
		expect((await verify(phone, smsCode)).status).toBe(429);
		expect((await emailAt(phone, T0 + 31 * SECOND)).status).toBe(200);
		const code = await lastEmailCode(email);
		expect(await (await verify(phone, wrongCode(code))).json()).toMatchObject({ attemptsRemaining: 2 });
		expect((await verify(phone, code)).status).toBe(201);
	});

	it("answers 404 OTP_NOT_FOUND for a phone with nothing pending, and stores and sends nothing", async () => {
		const phone = uniquePhone(AREA);
		const res = await resend(phone, "email", NOBODYS_ID);
		expect(res.status).toBe(404);
		expect(await res.json()).toMatchObject({ success: false, code: "OTP_NOT_FOUND" });
		expect(await storedChallenge(phone)).toBeNull();
		expect(await emailsTo(`${phone.slice(1)}@example.com`)).toEqual([]);
	});

	it("answers 410 OTP_EXPIRED once the registration has expired, and sends nothing", async () => {
		const { phone, email } = await pending();
		const res = await emailAt(phone, T0 + 300 * SECOND);
		expect(res.status).toBe(410);
		expect(await res.json()).toMatchObject({ code: "OTP_EXPIRED" });
		expect(await emailsTo(email)).toEqual([]);
	});

	it.each([
		["an unknown channel", "pigeon"],
		["an upper-case channel", "EMAIL"],
		["an empty channel", ""],
		["a number", 1],
		["null", null],
	])("refuses %s with 400 VALIDATION_ERROR naming the channel, and sends nothing", async (_, channel) => {
		const { phone, email } = await pending();
		await setClock(phone, T0 + 31 * SECOND);
		const res = await post("/api/customers/resend-otp", { phone, channel });
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ success: false, code: "VALIDATION_ERROR", field: "channel" });
		expect(await emailsTo(email)).toEqual([]);
		expect(await smsTo(phone)).toHaveLength(1);
		expect(await storedChallenge(phone)).toMatchObject({ generation: 1, last_sent_at: T0 });
	});
});
