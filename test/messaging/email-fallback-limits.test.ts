import { describe, expect, it } from "vitest";
import { post, uniquePhone } from "../support/api";
import { emailAt, NOBODYS_ID, pendingWithEmail } from "../support/email-fallback";
import { setClock, storedChallenge, storedMarks } from "../support/objects";
import { emailsTo, lastEmailCode, smsTo } from "../support/outbox";
import { registrationIdOf, resendOtp as resend, sendOtp as send, verifyOtp as verify } from "../support/registration";

// The email fallback of resend-otp (`channel: "email"`): see test/support/email-fallback.ts.

const AREA = "662";
const T0 = Date.UTC(2030, 2, 1);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** A registration pending since `at` (on its object's clock), its address, and the SMS code it got. */
const pending = (at = T0, overrides: Record<string, unknown> = {}, area = AREA) =>
	pendingWithEmail(area, at, overrides);

describe("one cooldown and one set of caps for both channels", () => {
	it("an email right after the SMS waits out the SMS's cooldown: 429 with Retry-After", async () => {
		const { phone, email, smsCode } = await pending();
		const res = await emailAt(phone, T0 + 10 * SECOND);
		expect(res.status).toBe(429);
		expect(res.headers.get("retry-after")).toBe("20");
		expect(await res.json()).toMatchObject({ success: false, code: "RATE_LIMITED", retryAfter: 20 });
		expect(await emailsTo(email)).toEqual([]);
		expect(await storedChallenge(phone)).toMatchObject({ generation: 1, last_sent_at: T0 });
		expect(await storedMarks(phone, "send")).toEqual([T0]);
		// The refusal changed nothing: the SMS code still works.
		expect((await verify(phone, smsCode)).status).toBe(201);
	});

	it("an SMS right after the email waits out the email's cooldown, on both SMS routes", async () => {
		const { phone, email } = await pending();
		expect((await emailAt(phone, T0 + 31 * SECOND)).status).toBe(200);
		await setClock(phone, T0 + 40 * SECOND);
		const again = await resend(phone, "sms");
		expect(again.status).toBe(429);
		expect(again.headers.get("retry-after")).toBe("21");
		expect(await again.json()).toMatchObject({ code: "RATE_LIMITED", retryAfter: 21 });
		const restart = await send(phone);
		expect(restart.status).toBe(429);
		expect(restart.headers.get("retry-after")).toBe("21");
		expect(await smsTo(phone)).toHaveLength(1);
		// Nor can a second email jump the queue.
		expect((await resend(phone, "email")).status).toBe(429);
		expect(await emailsTo(email)).toHaveLength(1);
		expect((await verify(phone, await lastEmailCode(email))).status).toBe(201);
	});

	it("emails count toward the hourly cap shared with SMS", async () => {
		const { phone, email } = await pending();
		for (let i = 1; i < 5; i++) {
			await setClock(phone, T0 + i * MINUTE);
			expect((await resend(phone, i % 2 ? "email" : "sms")).status).toBe(200);
		}
		expect(await emailsTo(email)).toHaveLength(2);
		expect(await smsTo(phone)).toHaveLength(3);
		const capped = await emailAt(phone, T0 + 8 * MINUTE);
		expect(capped.status).toBe(429);
		expect(capped.headers.get("retry-after")).toBe(String(52 * 60));
		expect(await capped.json()).toMatchObject({ code: "RATE_LIMITED", retryAfter: 52 * 60 });
		expect((await resend(phone, "sms")).status).toBe(429);
		expect(await emailsTo(email)).toHaveLength(2);
	});

	it("emails count toward the daily cap shared with SMS", async () => {
		const { phone, email } = await pending();
		// Two rounds of five sends, two hours apart: four of the ten are emails.
		for (const start of [T0, T0 + 2 * HOUR]) {
			if (start !== T0) {
				await setClock(phone, start);
				expect((await send(phone)).status).toBe(200);
			}
			for (let i = 1; i < 5; i++) {
				await setClock(phone, start + i * MINUTE);
				expect((await resend(phone, i % 2 ? "email" : "sms")).status).toBe(200);
			}
		}
		expect(await emailsTo(email)).toHaveLength(4);
		expect(await smsTo(phone)).toHaveLength(6);
		// An hour after the second round the hourly cap is clear; the daily one (10) is not.
		const at = T0 + 3 * HOUR + 10 * MINUTE;
		await setClock(phone, at);
		const capped = await send(phone);
		expect(capped.status).toBe(429);
		expect(capped.headers.get("retry-after")).toBe(String((T0 + 24 * HOUR - at) / SECOND));
		expect(await capped.json()).toMatchObject({ code: "RATE_LIMITED" });
		expect(await smsTo(phone)).toHaveLength(6);
	});
});

describe("per-address limits", () => {
	it("email resends count toward the burst limit of the sending routes", async () => {
		const ip = { "cf-connecting-ip": "192.0.2.166" };
		const { phone, email } = await pending();
		await setClock(phone, T0 + 31 * SECOND);
		for (let i = 0; i < 5; i++) {
			const probe = await post(
				"/api/customers/resend-otp",
				{ phone: uniquePhone(AREA), registrationId: NOBODYS_ID, channel: "email" },
				ip,
			);
			expect(probe.status).toBe(404);
		}
		const registrationId = registrationIdOf(phone);
		const limited = await post("/api/customers/resend-otp", { phone, registrationId, channel: "email" }, ip);
		expect(limited.status).toBe(429);
		expect(limited.headers.get("retry-after")).toBe("60");
		expect(await emailsTo(email)).toEqual([]);
		// Another address is not held back.
		const other = await post(
			"/api/customers/resend-otp",
			{ phone, registrationId, channel: "email" },
			{ "cf-connecting-ip": "192.0.2.167" },
		);
		expect(other.status).toBe(200);
	});
});

describe("the email channel needs the registration's id", () => {
	it("refuses an id-less email resend with 400 naming registrationId; the registration stays an SMS one", async () => {
		const { phone, email } = await pending();
		await setClock(phone, T0 + 31 * SECOND);
		const before = await storedChallenge(phone);
		const res = await post("/api/customers/resend-otp", { phone, channel: "email" });
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ code: "VALIDATION_ERROR", field: "registrationId" });
		expect(await emailsTo(email)).toEqual([]);
		expect(await storedChallenge(phone)).toEqual(before);
		// The holder of the id switches to email as before.
		expect((await resend(phone, "email")).status).toBe(200);
	});
});
