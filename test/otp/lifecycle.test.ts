import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { customerCount, uniquePhone } from "../support/api";
import { challengeStub, setClock, storedChallenge, storedMarks } from "../support/objects";
import { failNextSms, lastCode, smsTo, wrongCode } from "../support/outbox";
import {
	pendingRegistration,
	registrationIdOf,
	resendOtp as resend,
	sendOtp as send,
	verifyOtp as verify,
} from "../support/registration";

const AREA = "646";
const T0 = Date.UTC(2030, 0, 1);
const SECOND = 1000;
const HOUR = 3_600_000;

const pending = (at = T0) => pendingRegistration(AREA, at);

describe("expiry", () => {
	it("answers OTP_EXPIRED after the TTL by the clock alone, without the alarm", async () => {
		const { phone, code } = await pending();
		const customersBefore = await customerCount();
		await setClock(phone, T0 + 300 * SECOND);
		const res = await verify(phone, code);
		expect(res.status).toBe(410);
		expect(await res.json()).toMatchObject({ success: false, code: "OTP_EXPIRED" });
		expect(await customerCount()).toBe(customersBefore);
	});

	it("still verifies one second before expiry", async () => {
		const { phone, code } = await pending();
		await setClock(phone, T0 + 299 * SECOND);
		expect((await verify(phone, code)).status).toBe(201);
	});

	it("alarm at expiry leaves a tombstone without personal data, then purges everything", async () => {
		const { phone, code } = await pending();
		const stub = challengeStub(phone);

		// An early alarm changes nothing: every method trusts the clock, not the alarm.
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect(await storedChallenge(phone)).toMatchObject({ status: "pending" });

		await setClock(phone, T0 + 300 * SECOND);
		await runDurableObjectAlarm(stub);
		const tomb = await storedChallenge(phone);
		expect(tomb).toMatchObject({ status: "expired", subject: null, code_mac: null });
		expect((await verify(phone, code)).status).toBe(410);
		expect((await resend(phone)).status).toBe(410);

		// Running the alarm again before the tombstone period is over changes nothing.
		await runDurableObjectAlarm(stub);
		expect(await storedChallenge(phone)).toMatchObject({ status: "expired" });

		// After its period the tombstone goes; the send's mark stays the day for the shares.
		await setClock(phone, T0 + 300 * SECOND + HOUR);
		await runDurableObjectAlarm(stub);
		expect(await storedChallenge(phone)).toBeNull();
		expect(await storedMarks(phone, "send")).toEqual([T0]);
		const after = await verify(phone, code);
		expect(after.status).toBe(404);
		expect(await after.json()).toMatchObject({ code: "OTP_NOT_FOUND" });

		// Once the mark left the day nothing is held: storage and the alarm are gone.
		await setClock(phone, T0 + 24 * HOUR);
		await runDurableObjectAlarm(stub);
		expect(await storedChallenge(phone)).toBeNull();
		expect(await storedMarks(phone, "send")).toEqual([]);
		expect(await runDurableObjectAlarm(stub)).toBe(false);
	});

	it("a purged object starts afresh", async () => {
		const { phone } = await pending();
		await setClock(phone, T0 + 2 * HOUR);
		await runDurableObjectAlarm(challengeStub(phone));
		await setClock(phone, T0 + 25 * HOUR);
		await runDurableObjectAlarm(challengeStub(phone));
		expect(await storedChallenge(phone)).toBeNull();
		expect((await send(phone)).status).toBe(200);
		expect((await verify(phone, await lastCode(phone))).status).toBe(201);
	});
});

describe("resend", () => {
	it("issues a new code and the old one stops working at once", async () => {
		const { phone, code: first } = await pending();
		await setClock(phone, T0 + 30 * SECOND);
		const res = await resend(phone);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({
			success: true,
			message: "OTP resent successfully",
			phone,
			// The same registration: a resend never starts another.
			registrationId: registrationIdOf(phone),
			channel: "sms",
			delivery: "queued",
			expiresIn: 300,
		});
		const second = await lastCode(phone);
		expect(await smsTo(phone)).toHaveLength(2);
		if (second !== first) {
			const old = await verify(phone, first);
			expect(old.status).toBe(400);
			expect(await old.json()).toMatchObject({ code: "OTP_INVALID", attemptsRemaining: 2 });
		}
		expect((await verify(phone, second)).status).toBe(201);
	});

	it("restarts the TTL from the resend", async () => {
		const { phone } = await pending();
		await setClock(phone, T0 + 200 * SECOND);
		expect((await resend(phone)).status).toBe(200);
		const code = await lastCode(phone);
		await setClock(phone, T0 + 499 * SECOND);
		expect((await verify(phone, code)).status).toBe(201);
	});

	it("is refused inside the cooldown with Retry-After, counted from the last SMS of either endpoint", async () => {
		const { phone } = await pending();
		await setClock(phone, T0 + 10 * SECOND);
		const early = await resend(phone);
		expect(early.status).toBe(429);
		expect(early.headers.get("retry-after")).toBe("20");
		expect(await early.json()).toMatchObject({ code: "RATE_LIMITED", retryAfter: 20 });
		const again = await send(phone);
		expect(again.status).toBe(429);
		expect(again.headers.get("retry-after")).toBe("20");

		await setClock(phone, T0 + 30 * SECOND);
		expect((await resend(phone)).status).toBe(200);
		await setClock(phone, T0 + 40 * SECOND);
		expect((await send(phone)).status).toBe(429);
		expect(await smsTo(phone)).toHaveLength(2);
	});

	it("caps a network's sends to a phone per hour across send-otp and resend-otp", async () => {
		const { phone } = await pending();
		for (let i = 1; i < 5; i++) {
			await setClock(phone, T0 + i * 60 * SECOND);
			expect((i % 2 ? await resend(phone) : await send(phone)).status).toBe(200);
		}
		await setClock(phone, T0 + 8 * 60 * SECOND);
		const capped = await resend(phone);
		expect(capped.status).toBe(429);
		expect(Number(capped.headers.get("retry-after"))).toBe(52 * 60);
		expect((await send(phone)).status).toBe(429);
		expect(await smsTo(phone)).toHaveLength(5);

		await setClock(phone, T0 + HOUR);
		expect((await send(phone)).status).toBe(200);
	});

	it("answers OTP_NOT_FOUND when nothing is pending", async () => {
		const phone = uniquePhone(AREA);
		const res = await resend(phone);
		expect(res.status).toBe(404);
		expect(await res.json()).toMatchObject({ success: false, code: "OTP_NOT_FOUND" });
		expect((await verify(phone, "123456")).status).toBe(404);
		expect(await smsTo(phone)).toHaveLength(0);
		// Probing a phone leaves nothing behind to pay for or clean up.
		expect(await storedChallenge(phone)).toBeNull();
	});
});

describe("attempts", () => {
	it("burns the code on the third wrong guess; even the right code fails; a resend gives fresh tries", async () => {
		const { phone, code } = await pending();
		const customersBefore = await customerCount();
		const bad = wrongCode(code);
		expect(await (await verify(phone, bad)).json()).toMatchObject({ code: "OTP_INVALID", attemptsRemaining: 2 });
		expect(await (await verify(phone, bad)).json()).toMatchObject({ code: "OTP_INVALID", attemptsRemaining: 1 });
		const third = await verify(phone, bad);
		expect(third.status).toBe(429);
		expect(await third.json()).toMatchObject({ code: "OTP_TOO_MANY_ATTEMPTS" });
		const right = await verify(phone, code);
		expect(right.status).toBe(429);
		expect(await customerCount()).toBe(customersBefore);

		await setClock(phone, T0 + 30 * SECOND);
		expect((await resend(phone)).status).toBe(200);
		const fresh = await lastCode(phone);
		expect(await (await verify(phone, wrongCode(fresh))).json()).toMatchObject({ attemptsRemaining: 2 });
		expect((await verify(phone, fresh)).status).toBe(201);
	});
});

describe("replacement and consumption", () => {
	// The starter's client sends the registration's id back (the helper does): without it, a second
	// send-otp starts a separate registration and never touches this one (test/customers/registration/strangers.test.ts).
	it("a second send-otp with the registration's id replaces its details: new details, new code, same id", async () => {
		const { phone, code: first } = await pending();
		const id = registrationIdOf(phone);
		await setClock(phone, T0 + 30 * SECOND);
		const res = await send(phone, { name: "Grace Hopper", email: `grace.${phone.slice(1)}@example.com` });
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ registrationId: id });
		const second = await lastCode(phone);
		if (second !== first) expect((await verify(phone, first)).status).toBe(400);
		const ok = await verify(phone, second);
		expect(ok.status).toBe(201);
		const { customerId } = (await ok.json()) as { customerId: number };
		const row = await env.DB.prepare("SELECT name, email, phone FROM customers WHERE id = ?").bind(customerId).first();
		expect(row).toEqual({ name: "Grace Hopper", email: `grace.${phone.slice(1)}@example.com`, phone });
	});

	it("a successful verify consumes the registration and records the customer", async () => {
		const { phone, code } = await pending();
		const ok = await verify(phone, code);
		expect(ok.status).toBe(201);
		const body = (await ok.json()) as { customerId: number };
		expect(body).toEqual({
			success: true,
			message: "Customer registered successfully",
			customerId: expect.any(Number),
			accessToken: expect.any(String),
			refreshToken: expect.any(String),
			tokenType: "Bearer",
			expiresIn: 900,
		});
		const again = await verify(phone, code);
		expect(again.status).toBe(404);
		const row = await env.DB.prepare("SELECT * FROM customers WHERE id = ?").bind(body.customerId).first();
		expect(row).toMatchObject({
			email: `${phone.slice(1)}@example.com`,
			phone,
			phone_verified_at: T0,
			created_at: T0,
		});
		expect(String(row?.password_hash)).toMatch(/^\$scrypt\$/);
		expect(await storedChallenge(phone)).toMatchObject({ status: "consumed", subject: null });
		const retry = await send(phone);
		expect(retry.status).toBe(409);
		expect(await retry.json()).toMatchObject({ code: "CUSTOMER_EXISTS", field: "phone" });
	});
});

describe("failed sends", () => {
	it("a failed resend leaves the previous code working and refunds the cooldown", async () => {
		const { phone, code } = await pending();
		await setClock(phone, T0 + 30 * SECOND);
		await failNextSms(phone, 503, 20503);
		const failed = await resend(phone);
		expect(failed.status).toBe(502);
		expect(await failed.json()).toMatchObject({ code: "SMS_DELIVERY_FAILED" });
		expect(await storedChallenge(phone)).toMatchObject({ status: "pending", generation: 1 });
		expect((await verify(phone, code)).status).toBe(201);
	});

	it("a failed send still counts toward the hourly cap", async () => {
		const phone = uniquePhone(AREA);
		await setClock(phone, T0);
		await failNextSms(phone, 500, 20500, 5);
		for (let i = 0; i < 5; i++) expect((await send(phone)).status).toBe(502);
		const capped = await send(phone);
		expect(capped.status).toBe(429);
		expect(await capped.json()).toMatchObject({
			code: "RATE_LIMITED",
			message: expect.stringMatching(/Too many codes/),
		});
		// No code is held, but every send that reached the provider keeps its mark.
		expect(await storedChallenge(phone)).toBeNull();
		expect(await storedMarks(phone, "send")).toEqual([T0, T0, T0, T0, T0]);
	});
});

describe("D1 failure while registering", () => {
	it("answers SERVICE_UNAVAILABLE and gives the registration back for a retry with the same code", async () => {
		const { phone, code } = await pending();
		await env.DB.exec("ALTER TABLE customers RENAME TO customers_away");
		try {
			const res = await verify(phone, code);
			expect(res.status).toBe(503);
			expect(await res.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
		} finally {
			await env.DB.exec("ALTER TABLE customers_away RENAME TO customers");
		}
		expect(await storedChallenge(phone)).toMatchObject({ status: "pending" });
		expect((await verify(phone, code)).status).toBe(201);
	});
});
