import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app";
import { emailAt, pendingWithEmail, statusQuery, storedDelivery, verificationsOf } from "../support/email-fallback";
import { MAGIC_EMAILS } from "../support/fake-resend";
import { setClock, storedChallenge, storedMarks } from "../support/objects";
import { emailsTo, lastCode, lastEmailCode, smsTo } from "../support/outbox";
import { registrationIdOf, resendOtp as resend, verifyOtp as verify } from "../support/registration";

// The email fallback of resend-otp (`channel: "email"`): see test/support/email-fallback.ts.

const AREA = "667";
/** Registrations whose email is one of the fake's magic failing addresses. */
const FAILING_AREA = "661";
const T0 = Date.UTC(2030, 2, 1);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** A registration pending since `at` (on its object's clock), its address, and the SMS code it got. */
const pending = (at = T0, overrides: Record<string, unknown> = {}, area = AREA) =>
	pendingWithEmail(area, at, overrides);

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
		expect(await verificationsOf(phone)).toMatchObject({ email, phone_verified_at: sent, email_verified_at: null });
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
