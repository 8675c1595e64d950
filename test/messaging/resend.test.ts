import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getConfig, parseConfig, type ResendConfig } from "../../src/config/config";
import type { Email } from "../../src/messaging/email-sender";
import { otpEmail } from "../../src/messaging/i18n";
import { resendSender } from "../../src/messaging/resend";
import { createEmailSender } from "../../src/messaging/senders";
import { configErrorMessage as configError, development } from "../support/config-fixtures";
import { FAKE_RESEND_KEY, MAGIC_EMAILS } from "../support/fake-resend";
import { emailsTo, RESEND } from "../support/outbox";
import { TEST_SIGNING_KEYS } from "../support/signing-keys";

const FROM = "Acme <verify@acme.test>";

const config = (overrides: Partial<ResendConfig> = {}): ResendConfig => ({
	baseUrl: RESEND,
	apiKey: FAKE_RESEND_KEY,
	from: FROM,
	timeoutMs: 1_000,
	...overrides,
});

let counter = 0;
/** An address no other test mails. */
function uniqueAddress(): string {
	counter++;
	return `resend-${Date.now()}-${counter}@example.com`;
}

const emailTo = (to: string): Email => otpEmail("Acme", to, "042917", 300_000, "en");

afterEach(() => {
	vi.restoreAllMocks();
});

describe("resendSender", () => {
	it("sends from, to, subject, text and html; answers the id Resend gave", async () => {
		const to = uniqueAddress();
		const email = emailTo(to);
		const outcome = await resendSender(config()).send(email);
		expect(outcome).toEqual({ ok: true, id: expect.any(String) });
		const inbox = await emailsTo(to);
		expect(inbox).toEqual([
			{
				id: outcome.ok ? outcome.id : "",
				from: FROM,
				to: [to],
				subject: email.subject,
				text: email.text,
				html: email.html,
				createdAt: expect.any(String),
			},
		]);
	});

	it("posts JSON to {base}/emails with the key as a Bearer token, within the timeout", async () => {
		const spy = vi.spyOn(globalThis, "fetch");
		const to = uniqueAddress();
		const email = emailTo(to);
		expect((await resendSender(config()).send(email)).ok).toBe(true);
		expect(spy).toHaveBeenCalledTimes(1);
		const [url, init] = spy.mock.calls[0] as [string, RequestInit];
		expect(url).toBe(`${RESEND}/emails`);
		expect(init.method).toBe("POST");
		expect(init.headers).toMatchObject({
			authorization: `Bearer ${FAKE_RESEND_KEY}`,
			"content-type": "application/json",
		});
		expect(init.signal).toBeInstanceOf(AbortSignal);
		expect(JSON.parse(String(init.body))).toEqual({
			from: FROM,
			to: [to],
			subject: email.subject,
			text: email.text,
			html: email.html,
		});
	});

	it("reports a wrong key as Resend's invalid_api_key, and nothing is sent", async () => {
		const to = uniqueAddress();
		const outcome = await resendSender(config({ apiKey: "re_wrong" })).send(emailTo(to));
		expect(outcome).toEqual({ ok: false, providerError: "invalid_api_key", httpStatus: 403 });
		expect(await emailsTo(to)).toEqual([]);
	});

	it.each([
		["an address Resend will not send to", MAGIC_EMAILS.invalid, "validation_error", 422],
		["Resend's rate limit", MAGIC_EMAILS.rateLimited, "rate_limit_exceeded", 429],
		["a Resend server error", MAGIC_EMAILS.serverError, "application_error", 500],
	])("reports %s with the error name and status", async (_, to, providerError, httpStatus) => {
		const outcome = await resendSender(config()).send(emailTo(to));
		expect(outcome).toEqual({ ok: false, providerError, httpStatus });
	});

	it("gives up after timeoutMs", async () => {
		const started = Date.now();
		const outcome = await resendSender(config({ timeoutMs: 150 })).send(emailTo(MAGIC_EMAILS.hang));
		expect(outcome).toEqual({ ok: false });
		expect(Date.now() - started).toBeLessThan(1_500);
	});

	it("reports a network failure as a failure, without throwing", async () => {
		vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("Network connection lost."));
		await expect(resendSender(config()).send(emailTo(uniqueAddress()))).resolves.toEqual({ ok: false });
	});

	it("reports a host that answers something other than Resend's JSON as a failure", async () => {
		const to = uniqueAddress();
		// The test's outbound handler answers 599 text/plain for any host it does not know.
		const outcome = await resendSender(config({ baseUrl: "http://nowhere.test" })).send(emailTo(to));
		expect(outcome).toEqual({ ok: false, httpStatus: 599 });
		expect(outcome).not.toHaveProperty("id");
		expect(await emailsTo(to)).toEqual([]);
	});

	it("treats a success without an id as a failure", async () => {
		vi.spyOn(globalThis, "fetch").mockResolvedValue(Response.json({ ok: true }));
		expect(await resendSender(config()).send(emailTo(uniqueAddress()))).toEqual({ ok: false, httpStatus: 200 });
	});

	it("keeps at most 60 characters of an error name", async () => {
		const name = "x".repeat(200);
		vi.spyOn(globalThis, "fetch").mockResolvedValue(Response.json({ statusCode: 400, name }, { status: 400 }));
		expect(await resendSender(config()).send(emailTo(uniqueAddress()))).toEqual({
			ok: false,
			providerError: "x".repeat(60),
			httpStatus: 400,
		});
	});
});

describe("the email configuration", () => {
	it("is what the test Worker runs with: Resend at the fake, 300 ms", () => {
		expect(getConfig(env).email).toEqual({
			enabled: true,
			sender: {
				kind: "resend",
				resend: { baseUrl: RESEND, apiKey: FAKE_RESEND_KEY, from: FROM, timeoutMs: 300 },
			},
		});
	});

	it("reads Resend's settings, trimming the base URL; defaults to the real API and 10 s", () => {
		const custom = parseConfig(
			development({
				RESEND_API_KEY: "re_k",
				EMAIL_FROM: FROM,
				RESEND_API_BASE_URL: "http://resend.test//",
				EMAIL_TIMEOUT_MS: "2500",
			}),
		);
		expect(custom.email).toEqual({
			enabled: true,
			sender: { kind: "resend", resend: { baseUrl: RESEND, apiKey: "re_k", from: FROM, timeoutMs: 2500 } },
		});
		const defaults = parseConfig(development({ RESEND_API_KEY: "re_k", EMAIL_FROM: FROM }));
		expect(defaults.email).toMatchObject({
			sender: { resend: { baseUrl: "https://api.resend.com", timeoutMs: 10_000 } },
		});
	});

	it("is on by default, off only with EMAIL_FALLBACK_ENABLED=false", () => {
		expect(parseConfig(development()).email).toEqual({ enabled: true, sender: { kind: "console" } });
		expect(parseConfig(development({ EMAIL_FALLBACK_ENABLED: "" })).email.enabled).toBe(true);
		expect(parseConfig(development({ EMAIL_FALLBACK_ENABLED: "true" })).email.enabled).toBe(true);
		expect(
			parseConfig(development({ EMAIL_FALLBACK_ENABLED: "false", RESEND_API_KEY: "re_k", EMAIL_FROM: FROM })).email,
		).toEqual({ enabled: false });
		expect(configError(development({ EMAIL_FALLBACK_ENABLED: "no" }))).toContain("EMAIL_FALLBACK_ENABLED");
	});

	it("refuses a key without a sender address", () => {
		expect(configError(development({ RESEND_API_KEY: "re_k" }))).toContain("EMAIL_FROM");
	});

	it("refuses a timeout out of range", () => {
		expect(configError(development({ EMAIL_TIMEOUT_MS: "50" }))).toContain("EMAIL_TIMEOUT_MS");
	});

	it("in production, demands the key and sender while the fallback is on, and not when it is off", () => {
		const production = {
			ENVIRONMENT: "production",
			OTP_SECRET: "0123456789abcdef0123456789abcdef",
			TWILIO_ACCOUNT_SID: "AC0123",
			TWILIO_AUTH_TOKEN: "twilio-auth-token-that-must-stay-secret",
			TWILIO_PHONE_NUMBER: "+15005550006",
			JWT_SIGNING_KEYS: TEST_SIGNING_KEYS,
			JWT_REFRESH_SECRET: "jwt-refresh-secret-0123456789abcdef",
		};
		const message = configError(production);
		expect(message).toContain("RESEND_API_KEY");
		expect(message).toContain("EMAIL_FROM");
		expect(parseConfig({ ...production, EMAIL_FALLBACK_ENABLED: "false" }).email).toEqual({ enabled: false });
		expect(parseConfig({ ...production, RESEND_API_KEY: "re_live", EMAIL_FROM: FROM }).email).toMatchObject({
			enabled: true,
			sender: { kind: "resend" },
		});
	});
});

describe("createEmailSender", () => {
	it("sends through Resend when Resend is configured", async () => {
		const to = uniqueAddress();
		const sender = createEmailSender({ enabled: true, sender: { kind: "resend", resend: config() } });
		expect(await sender.send(emailTo(to))).toMatchObject({ ok: true });
		expect(await emailsTo(to)).toHaveLength(1);
	});

	it("prints to the console otherwise, with the address masked", async () => {
		const lines: string[] = [];
		vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
		const to = uniqueAddress();
		const sender = createEmailSender({ enabled: true, sender: { kind: "console" } });
		expect(await sender.send(emailTo(to))).toEqual({ ok: true, id: expect.stringMatching(/^console-/) });
		expect(await emailsTo(to)).toEqual([]);
		expect(lines.join("\n")).toContain("042917");
		expect(lines.join("\n")).not.toContain(to);
	});
});
