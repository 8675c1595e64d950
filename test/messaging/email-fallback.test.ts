import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { prefixGuardFor } from "../../src/abuse/prefix-guard";
import { createApp } from "../../src/app";
import { post, uniquePhone, withToken } from "../support/api";
import { MAGIC_EMAILS } from "../support/fakes/fake-resend";
import { moveObjectClock, setClock, storedChallenge, storedMarks } from "../support/objects";
import { emailsTo, lastCode, lastEmailCode, smsTo, wrongCode } from "../support/outbox";
import {
	pendingRegistration,
	registrationIdOf,
	resendOtp as resend,
	sendOtp as send,
	verifyOtp as verify,
} from "../support/registration";

/** A well-formed registrationId no registration has. */
const NOBODYS_ID = "A".repeat(22);

/**
 * The email fallback of resend-otp (`channel: "email"`): a new code for the
 * pending registration, sent through Resend (the fake at resend.test) to the
 * address the registration was started with.
 */

const AREA = "660";
/** Registrations whose email is one of the fake's magic failing addresses. */
const FAILING_AREA = "661";
const T0 = Date.UTC(2030, 2, 1);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const FROM = "Acme <verify@acme.test>";

/** A registration pending since `at` (on its object's clock), its address, and the SMS code it got. */
async function pending(at = T0, overrides: Record<string, unknown> = {}, area = AREA) {
	const { phone, code } = await pendingRegistration(area, at, overrides);
	const email = (overrides.email as string | undefined) ?? `${phone.slice(1)}@example.com`;
	return { phone, email, smsCode: code };
}

/** The otp-status query of the registration send-otp last answered for `phone`. */
const statusQuery = (phone: string) =>
	new URLSearchParams({ phone, registrationId: registrationIdOf(phone) as string }).toString();

/** resend-otp by email at `at` on the phone's clock. */
async function emailAt(phone: string, at: number): Promise<Response> {
	await setClock(phone, at);
	return resend(phone, "email");
}

async function customerRow(phone: string) {
	return env.DB.prepare("SELECT id, email, phone_verified_at, email_verified_at FROM customers WHERE phone = ?")
		.bind(phone)
		.first<{ id: number; email: string; phone_verified_at: number | null; email_verified_at: number | null }>();
}

/** The `delivery` column of the stored registration: challenge id, channel, provider id and status. */
async function storedDelivery(phone: string) {
	const row = await storedChallenge(phone);
	return JSON.parse(String(row?.delivery)) as {
		challengeId: string;
		channel: string;
		messageId: string | null;
		deliveryStatus: string | null;
	};
}

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
		expect(await customerRow(phone)).toEqual({
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
		expect(await customerRow(phone)).toMatchObject({ phone_verified_at: T0 + 62 * SECOND, email_verified_at: null });
	});

	it("still goes while SMS to the number's range is blocked, which is what it is for", async () => {
		const { phone, email } = await pending();
		const guard = prefixGuardFor(env, phone);
		const setGuardClock = (ms: number) => moveObjectClock(guard, ms);
		// On the guard's own clock, 20 sends to the range that never verify: it blocks the range.
		const G = Date.UTC(2031, 0, 1);
		try {
			await setGuardClock(G);
			for (let i = 0; i < 20; i++) expect((await guard.admit()).blockedFor).toBeNull();
			await setGuardClock(G + 6 * MINUTE);
			expect((await guard.admit()).blockedFor).toBe(HOUR);

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
		["an unknown channel", "whatsapp"],
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

describe("when Resend fails", () => {
	afterEach(() => {
		vi.restoreAllMocks();
	});

	/*
	 * What must hold, from PhoneChallenge#sendCode/#revert and rules.revertSend:
	 * a failed email is reverted to the state before it (`...before`), so the
	 * SMS code of send-otp is live again (same generation and MAC), the channel
	 * is SMS again (its code verifies the phone), and `lastSentAt` is the SMS's,
	 * so the failure leaves no cooldown: an immediate retry reaches Resend
	 * again. The attempt reached the provider, so its send mark stays in the
	 * ledger and counts toward the network's shares, as a failed SMS does.
	 */
	it.each([
		["422 validation_error", MAGIC_EMAILS.invalid, 422],
		["429 rate_limit_exceeded", MAGIC_EMAILS.rateLimited, 429],
		["500 application_error", MAGIC_EMAILS.serverError, 500],
		["no answer within EMAIL_TIMEOUT_MS", MAGIC_EMAILS.hang, undefined],
	])("Resend %s → 502 EMAIL_DELIVERY_FAILED; the SMS code still verifies the phone", async (_, email, httpStatus) => {
		const warnings: string[] = [];
		vi.spyOn(console, "warn").mockImplementation((line: unknown) => void warnings.push(String(line)));
		const { phone, smsCode } = await pending(T0, { email }, FAILING_AREA);
		const { challengeId } = await storedDelivery(phone);
		const sent = T0 + 31 * SECOND;

		const started = Date.now();
		const res = await emailAt(phone, sent);
		const elapsed = Date.now() - started;
		expect(res.status).toBe(502);
		expect(res.headers.get("retry-after")).toBeNull();
		expect(await res.json()).toEqual({
			success: false,
			message: "The email could not be sent; try again",
			code: "EMAIL_DELIVERY_FAILED",
		});
		// The fake answers the hanging address after 2 s; the Worker gives up after 300 ms.
		if (email === MAGIC_EMAILS.hang) expect(elapsed).toBeLessThan(1_500);

		// Back to the SMS send: its code, its channel, its time; the attempt keeps its send mark.
		expect(await storedChallenge(phone)).toMatchObject({
			status: "pending",
			generation: 1,
			attempts: 0,
			last_sent_at: T0,
			expires_at: T0 + 300 * SECOND,
		});
		expect(await storedMarks(phone, "send")).toEqual([T0, sent]);
		expect(await storedDelivery(phone)).toMatchObject({ challengeId, channel: "sms" });

		// The failure is logged for operators with the address and number masked.
		const logged = warnings.map((line) => JSON.parse(line) as Record<string, unknown>);
		expect(logged).toContainEqual(
			expect.objectContaining({
				event: "email_failed",
				channel: "email",
				email: `${email[0]}***@fail.test`,
				phone: `${phone.slice(0, 5)}***${phone.slice(-4)}`,
				...(httpStatus === undefined ? {} : { httpStatus }),
			}),
		);
		for (const line of warnings) {
			expect(line).not.toContain(email);
			expect(line).not.toContain(phone);
		}

		// No cooldown is left: retries at the same instant reach Resend again, until the hourly cap.
		for (let i = 2; i <= 4; i++) {
			const retry = await resend(phone, "email");
			expect(retry.status).toBe(502);
			expect(await retry.json()).toMatchObject({ code: "EMAIL_DELIVERY_FAILED" });
		}
		const capped = await resend(phone, "email");
		expect(capped.status).toBe(429);
		expect(capped.headers.get("retry-after")).toBe(String((HOUR - 31 * SECOND) / SECOND));
		expect(await capped.json()).toMatchObject({
			code: "RATE_LIMITED",
			message: expect.stringContaining("Too many codes"),
		});

		// Refusals a provider answered are tracked as failed email messages of the registration.
		const failed = await env.DB.prepare(
			"SELECT count(*) AS n FROM messages WHERE challenge_id = ? AND channel = 'email' AND status = 'failed'",
		)
			.bind(challengeId)
			.first<{ n: number }>();
		expect(failed?.n).toBe(httpStatus === undefined ? 0 : 4);

		expect(await smsTo(phone)).toHaveLength(1);
		const ok = await verify(phone, smsCode);
		expect(ok.status).toBe(201);
		expect(await customerRow(phone)).toMatchObject({ email, phone_verified_at: sent, email_verified_at: null });
	});
});

describe("with EMAIL_FALLBACK_ENABLED=false", () => {
	/** The app, with the email fallback switched off for its requests. */
	function withoutEmail() {
		const app = createApp();
		const bindings = { ...env, EMAIL_FALLBACK_ENABLED: "false" } as unknown as Env;
		return {
			post: (path: string, body: unknown) =>
				app.request(
					path,
					{ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
					bindings,
				),
			get: (path: string) => app.request(path, {}, bindings),
		};
	}

	it("refuses the email channel with 403 CHANNEL_UNAVAILABLE and changes nothing; SMS still works", async () => {
		const call = withoutEmail();
		const { phone, email } = await pending();
		await setClock(phone, T0 + 31 * SECOND);
		const before = await storedChallenge(phone);

		const registrationId = registrationIdOf(phone);
		const res = await call.post("/api/customers/resend-otp", { phone, registrationId, channel: "email" });
		expect(res.status).toBe(403);
		expect(await res.json()).toMatchObject({ success: false, code: "CHANNEL_UNAVAILABLE" });
		expect(await emailsTo(email)).toEqual([]);
		expect(await storedChallenge(phone)).toEqual(before);

		const status = await call.get(`/api/customers/otp-status?${statusQuery(phone)}`);
		expect(await status.json()).toMatchObject({ channel: "sms", emailFallback: false });

		// The refusal took no cooldown: an SMS resend at the same instant goes, and its code verifies.
		const sms = await call.post("/api/customers/resend-otp", { phone, channel: "sms" });
		expect(sms.status).toBe(200);
		expect(await sms.json()).toMatchObject({ channel: "sms" });
		expect(await smsTo(phone)).toHaveLength(2);
		expect((await verify(phone, await lastCode(phone))).status).toBe(201);
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

describe("delivery tracking", () => {
	it("records the email as a message of the registration's challenge, converted once its code verifies", async () => {
		const { phone, email } = await pending();
		const { challengeId } = await storedDelivery(phone);
		expect((await emailAt(phone, T0 + 31 * SECOND)).status).toBe(200);
		const [mail] = await emailsTo(email);
		const rows = () =>
			env.DB.prepare(
				"SELECT id, channel, purpose, destination, status, created_at, verified_at FROM messages WHERE challenge_id = ? ORDER BY created_at",
			)
				.bind(challengeId)
				.all<Record<string, unknown>>()
				.then((r) => r.results);
		const sent = await rows();
		expect(sent).toHaveLength(2);
		expect(sent[0]).toMatchObject({ channel: "sms", created_at: T0 });
		expect(sent[1]).toEqual({
			id: mail?.id,
			channel: "email",
			purpose: "register",
			destination: `${email[0]}***@example.com`,
			status: "sent",
			created_at: T0 + 31 * SECOND,
			verified_at: null,
		});

		await setClock(phone, T0 + 50 * SECOND);
		expect((await verify(phone, await lastEmailCode(email))).status).toBe(201);
		for (const row of await rows()) expect(row.verified_at).toBe(T0 + 50 * SECOND);
	});
});
