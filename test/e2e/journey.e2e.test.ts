import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeIn, FAKE_FROM, type FakeMessage, MAGIC_NUMBERS } from "../support/fake-twilio.ts";
import { postCustomers, type Stack, startStack } from "../support/stack.ts";
import { eventually } from "../support/wait.ts";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.ts";

/**
 * The README path over real HTTP: `wrangler dev` with the real bindings, the
 * fake Twilio and Resend served on loopback. Both servers start once, in parallel.
 */

const OTP_SECRET = "e2e-otp-secret-e2e-otp-secret-0123456789";
const TYPED_PHONE = "+1 (415) 555-2671";
const PHONE = "+14155552671";
const ADMIN_API_TOKEN = "e2e-admin-token-e2e-admin-token-0123456789";

/** Sends through the fake Twilio and Resend. */
let stack: Stack | undefined;
let withTwilio: WranglerDev | undefined;
/** Development mode with no Twilio settings at all: the console sender. */
let withoutTwilio: WranglerDev | undefined;

beforeAll(async () => {
	const starting = [
		startStack({
			OTP_SECRET,
			ADMIN_API_TOKEN,
			// Short, so the email fallback test waits out a real cooldown in seconds.
			OTP_RESEND_COOLDOWN_SECONDS: "2",
		}),
		startWranglerDev({ vars: { ENVIRONMENT: "development" } }),
	] as const;
	// Keep whichever started, so afterAll stops it even if the other failed.
	const [a, b] = await Promise.allSettled(starting);
	if (a.status === "fulfilled") {
		stack = a.value;
		withTwilio = stack.dev;
	}
	if (b.status === "fulfilled") withoutTwilio = b.value;
	for (const result of [a, b]) if (result.status === "rejected") throw result.reason;
});

afterAll(async () => {
	await Promise.all([stack?.stop(), withoutTwilio?.stop()]);
});

const post = postCustomers;

function get(dev: WranglerDev | undefined, path: string, headers: Record<string, string> = {}): Promise<Response> {
	if (!dev) throw new Error("wrangler dev is not running");
	return fetch(`${dev.url}${path}`, { headers });
}

const emails = (to: string) => stack?.emails(to) ?? Promise.resolve([]);

const inbox = (to: string): Promise<FakeMessage[]> => stack?.sms(to) ?? Promise.resolve([]);

const registration = (phone: string, email: string) => ({
	name: "Ada Lovelace",
	email,
	phone,
	password: "correct horse battery",
});

describe("a customer's journey over wrangler dev", () => {
	it("serves an OpenAPI 3.1 document listing the routes", async () => {
		const res = await fetch(`${withTwilio?.url}/openapi.json`);
		expect(res.status).toBe(200);
		const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
		expect(doc.openapi).toMatch(/^3\.1\./);
		expect(Object.keys(doc.paths)).toEqual(
			expect.arrayContaining([
				"/api/customers/send-otp",
				"/api/customers/verify-otp",
				"/api/customers/resend-otp",
				"/api/customers/login",
				"/api/customers/refresh",
				"/api/customers/logout",
				"/api/customers/logout-all",
				"/api/customers/me",
				"/api/customers/password-reset/send-otp",
				"/api/customers/password-reset/verify",
				"/api/customers/otp-status",
				"/api/admin/sms-stats",
				"/api/webhooks/twilio/message-status",
			]),
		);
	});

	it("texts a code through Twilio and registers the customer once", async () => {
		const sent = await post(withTwilio, "send-otp", registration(TYPED_PHONE, "ada@example.com"));
		expect(sent.status).toBe(200);
		expect(await sent.json()).toMatchObject({ success: true, phone: PHONE, expiresIn: 300 });

		const messages = await inbox(PHONE);
		expect(messages).toHaveLength(1);
		const sms = messages[0] as FakeMessage;
		expect(sms.from).toBe(FAKE_FROM);
		expect(sms.body).toContain("Acme");
		expect(sms.body).toContain("5 minutes");
		const code = codeIn(sms.body);

		const wrong = await post(withTwilio, "verify-otp", {
			phone: TYPED_PHONE,
			otp: code === "000000" ? "000001" : "000000",
		});
		expect(wrong.status).toBe(400);
		expect(await wrong.json()).toMatchObject({ success: false, code: "OTP_INVALID", attemptsRemaining: 2 });

		const right = await post(withTwilio, "verify-otp", { phone: PHONE, otp: code });
		expect(right.status).toBe(201);
		const registered = (await right.json()) as { customerId: unknown; accessToken: string };
		expect(Number.isInteger(registered.customerId)).toBe(true);
		expect((await me(withTwilio, registered.accessToken)).status).toBe(200);

		const again = await post(withTwilio, "verify-otp", { phone: PHONE, otp: code });
		expect(again.status).toBe(404);
		expect(await again.json()).toMatchObject({ code: "OTP_NOT_FOUND" });

		const taken = await post(withTwilio, "send-otp", registration(TYPED_PHONE, "someone-else@example.com"));
		expect(taken.status).toBe(409);
		expect(await taken.json()).toMatchObject({ code: "CUSTOMER_EXISTS", field: "phone" });
	});

	it("signs the customer in, refreshes, signs out", async () => {
		const login = await post(withTwilio, "login", { email: "Ada@Example.com", password: "correct horse battery" });
		expect(login.status).toBe(200);
		const session = (await login.json()) as { accessToken: string; refreshToken: string; customer: unknown };
		expect(session.customer).toMatchObject({ email: "ada@example.com", phone: PHONE, name: "Ada Lovelace" });

		const profile = await me(withTwilio, session.accessToken);
		expect(profile.status).toBe(200);
		expect(await profile.json()).toMatchObject({ success: true, customer: { email: "ada@example.com" } });

		const refreshed = await post(withTwilio, "refresh", { refreshToken: session.refreshToken });
		expect(refreshed.status).toBe(200);
		const next = (await refreshed.json()) as { accessToken: string; refreshToken: string };
		expect(next.refreshToken).not.toBe(session.refreshToken);
		expect((await me(withTwilio, next.accessToken)).status).toBe(200);

		const loggedOut = await post(withTwilio, "logout", { refreshToken: next.refreshToken });
		expect(loggedOut.status).toBe(200);
		expect((await post(withTwilio, "refresh", { refreshToken: next.refreshToken })).status).toBe(401);
		expect((await me(withTwilio, next.accessToken)).status).toBe(401);

		const wrong = await post(withTwilio, "login", { phone: PHONE, password: "not the password" });
		expect(wrong.status).toBe(401);
		expect(await wrong.json()).toMatchObject({ code: "INVALID_CREDENTIALS" });
	});

	it("resets a forgotten password with a texted code", async () => {
		const asked = await post(withTwilio, "password-reset/send-otp", { phone: TYPED_PHONE });
		expect(asked.status).toBe(200);
		// The SMS goes out after the answer (waitUntil), so the answer cannot reveal the number is registered.
		const sms = await eventually(async () => (await inbox(PHONE)).find((m) => m.body.includes("password reset")), {
			everyMs: 50,
		});
		const reset = await post(withTwilio, "password-reset/verify", {
			phone: PHONE,
			otp: codeIn(sms.body),
			newPassword: "a brand new passphrase",
		});
		expect(reset.status).toBe(200);
		expect((await post(withTwilio, "login", { phone: PHONE, password: "correct horse battery" })).status).toBe(401);
		expect((await post(withTwilio, "login", { phone: PHONE, password: "a brand new passphrase" })).status).toBe(200);
	});

	it("tracks delivery through Twilio's signed callbacks and falls back to email when the SMS fails", async () => {
		// Another client address, so this test's sends leave the journey's per-address burst alone.
		const client = { "cf-connecting-ip": "198.51.100.7" };
		const delivered = await post(withTwilio, "send-otp", registration("+14155550100", "lin@example.com"), client);
		expect(delivered.status).toBe(200);
		expect(delivered.headers.get("x-request-id")).toMatch(/^[\w-]{8,}$/);
		const first = (await delivered.json()) as { registrationId: string };
		await eventually(
			async () => {
				const query = new URLSearchParams({ phone: "+14155550100", registrationId: first.registrationId });
				const res = await get(withTwilio, `/api/customers/otp-status?${query}`);
				const body = (await res.json()) as { delivery?: string };
				return body.delivery === "delivered" ? body : undefined;
			},
			{ everyMs: 50 },
		);

		const phone = MAGIC_NUMBERS.unreachable;
		const sent = await post(withTwilio, "send-otp", registration(phone, "grace@example.com"), client);
		expect(sent.status).toBe(200);
		const { registrationId } = (await sent.json()) as { registrationId: string };
		const failed = await eventually(
			async () => {
				const res = await get(
					withTwilio,
					`/api/customers/otp-status?${new URLSearchParams({ phone, registrationId })}`,
				);
				const body = (await res.json()) as { delivery?: string };
				return body.delivery === "failed" ? body : undefined;
			},
			{ everyMs: 50 },
		);
		expect(failed).toMatchObject({ status: "pending", channel: "sms", emailFallback: true });

		// The cooldown holds across channels: the email goes once it has passed.
		const early = await post(withTwilio, "resend-otp", { phone, registrationId, channel: "email" }, client);
		expect(early.status).toBe(429);
		const wait = Number(early.headers.get("retry-after"));
		await new Promise((done) => setTimeout(done, wait * 1000 + 100));
		const byEmail = await post(withTwilio, "resend-otp", { phone, registrationId, channel: "email" }, client);
		expect(byEmail.status).toBe(200);
		expect(await byEmail.json()).toMatchObject({ channel: "email", delivery: "sent" });
		const [email] = await emails("grace@example.com");
		expect(email?.subject).toBe("Acme verification code");
		const verified = await post(withTwilio, "verify-otp", { phone, otp: codeIn(email?.text ?? "") });
		expect(verified.status).toBe(201);
		const { accessToken } = (await verified.json()) as { accessToken: string };
		const profile = (await (await me(withTwilio, accessToken)).json()) as { customer: Record<string, unknown> };
		expect(profile.customer.phoneVerifiedAt).toBeNull();
		expect(profile.customer.emailVerifiedAt).toEqual(expect.any(String));

		const stats = await get(withTwilio, "/api/admin/sms-stats", { authorization: `Bearer ${ADMIN_API_TOKEN}` });
		expect(stats.status).toBe(200);
		const { hour } = (await stats.json()) as { hour: Record<string, unknown> };
		expect(hour).toMatchObject({
			failuresByErrorCode: { "30003": 1 },
			emailFallback: { sends: 1, verificationRate: 1 },
		});
		expect((await get(withTwilio, "/api/admin/sms-stats")).status).toBe(401);
	});

	it("prints the code to the terminal in development when Twilio is not configured", async () => {
		const dev = withoutTwilio as WranglerDev;
		const sent = await post(dev, "send-otp", registration("+44 20 7946 0958", "grace@example.com"));
		expect(sent.status).toBe(200);

		// The log line may reach wrangler's stdout just after the response.
		const line = await eventually(() => /\[dev sms\] to \+4420\*\*\*0958: .*\b(\d{6})\b/.exec(dev.output()), {
			what: () => `a [dev sms] line with a code in the wrangler output:\n${dev.output()}`,
			everyMs: 50,
		});
		const code = line[1] as string;
		const verified = await post(dev, "verify-otp", { phone: "+442079460958", otp: code });
		expect(verified.status).toBe(201);
	});
});

function me(dev: WranglerDev | undefined, accessToken: string): Promise<Response> {
	return fetch(`${dev?.url}/api/customers/me`, { headers: { authorization: `Bearer ${accessToken}` } });
}
