import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TwilioConfig } from "../../src/config/config";
import { smsText } from "../../src/messaging/i18n";
import { twilioSender } from "../../src/messaging/twilio";
import { customerCount, post, registration, uniquePhone } from "../support/api";
import { codeIn, FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN, FAKE_FROM, MAGIC_NUMBERS } from "../support/fake-twilio";
import { storedChallenge, storedMarks } from "../support/objects";
import { smsTo, TWILIO } from "../support/outbox";

const AREA = "303";

const send = (phone: string) => post("/api/customers/send-otp", registration(phone));
const resend = (phone: string) => post("/api/customers/resend-otp", { phone });
const verify = (phone: string) => post("/api/customers/verify-otp", { phone, otp: "123456" });

describe("send-otp when Twilio fails", () => {
	afterEach(() => {
		vi.restoreAllMocks();
	});

	it.each([
		["21211 invalid number", 400, "VALIDATION_ERROR", MAGIC_NUMBERS.invalid],
		["21614 not a mobile", 400, "VALIDATION_ERROR", MAGIC_NUMBERS.notMobile],
		["500", 502, "SMS_DELIVERY_FAILED", MAGIC_NUMBERS.serverError],
		["429", 502, "SMS_DELIVERY_FAILED", MAGIC_NUMBERS.tooManyRequests],
		["502 with an HTML body", 502, "SMS_DELIVERY_FAILED", MAGIC_NUMBERS.badGateway],
		["no answer within TWILIO_TIMEOUT_MS", 502, "SMS_DELIVERY_FAILED", MAGIC_NUMBERS.hang],
	])("Twilio %s → %i %s; nothing pending; a retry is not held by the cooldown", async (_, status, code, phone) => {
		const warnings: string[] = [];
		vi.spyOn(console, "warn").mockImplementation((line: unknown) => void warnings.push(String(line)));
		const customersBefore = await customerCount();
		const expected = code === "VALIDATION_ERROR" ? { code, field: "phone" } : { code };

		const started = Date.now();
		const res = await send(phone);
		const elapsed = Date.now() - started;
		expect(res.status).toBe(status);
		const body = (await res.json()) as Record<string, unknown>;
		expect(body).toMatchObject({ success: false, message: expect.any(String), ...expected });
		if (code === "SMS_DELIVERY_FAILED") expect(body.field).toBeUndefined();
		// The fake answers the hanging number only after 2 s; the Worker gives up after 300 ms.
		if (phone === MAGIC_NUMBERS.hang) expect(elapsed).toBeLessThan(1_500);
		// The failure is logged for operators, with the number masked.
		const logged = warnings.map((line) => JSON.parse(line) as Record<string, unknown>);
		expect(logged).toContainEqual(
			expect.objectContaining({ event: "sms_failed", phone: `${phone.slice(0, 5)}***${phone.slice(-4)}` }),
		);
		for (const line of warnings) expect(line).not.toContain(phone);

		// No code is held (the registration, its details and MAC are deleted); the send that reached Twilio keeps its mark.
		expect(await storedChallenge(phone)).toBeNull();
		expect(await storedMarks(phone, "send")).toHaveLength(1);
		const resent = await resend(phone);
		expect(resent.status).toBe(404);
		expect(await resent.json()).toMatchObject({ code: "OTP_NOT_FOUND" });
		const verified = await verify(phone);
		expect(verified.status).toBe(404);
		expect(await verified.json()).toMatchObject({ code: "OTP_NOT_FOUND" });

		const retry = await send(phone);
		expect(retry.status).toBe(status);
		expect(await retry.json()).toMatchObject(expected);
		expect(retry.headers.get("retry-after")).toBeNull();
		expect(await storedChallenge(phone)).toBeNull();
		expect(await storedMarks(phone, "send")).toHaveLength(2);
		expect(await customerCount()).toBe(customersBefore);
	});
});

describe("the SMS a customer receives", () => {
	it("comes from the configured number and names the app, the code and the expiry", async () => {
		const phone = uniquePhone(AREA);
		expect((await send(phone)).status).toBe(200);
		const [message, ...more] = await smsTo(phone);
		expect(more).toEqual([]);
		expect(message).toMatchObject({ to: phone, from: FAKE_FROM, messagingServiceSid: null });
		const code = codeIn(message?.body ?? "");
		const host = new URL(env.PUBLIC_BASE_URL).hostname;
		expect(message?.body).toBe(
			`Your ${env.APP_NAME} verification code is ${code}. It expires in 5 minutes.\n@${host} #${code}`,
		);
	});
});

describe("the English SMS text", () => {
	const otpMessage = (appName: string, code: string, ttlMs: number) =>
		smsText({ appName, code, ttlMs, purpose: "register", locale: "en" });

	it("names the app, the code and 5 minutes for the default TTL", () => {
		const text = otpMessage("Acme", "042917", 300_000);
		expect(text).toContain("Acme");
		expect(text).toContain("042917");
		expect(text).toContain("5 minutes");
	});

	it("uses the singular for one minute", () => {
		expect(otpMessage("Acme", "123456", 60_000)).toContain("expires in 1 minute.");
	});

	it("never overstates the lifetime: seconds when it is not whole minutes", () => {
		expect(otpMessage("Acme", "123456", 30_000)).toContain("expires in 30 seconds.");
		expect(otpMessage("Acme", "123456", 90_000)).toContain("expires in 90 seconds.");
	});
});

describe("twilioSender", () => {
	const config = (overrides: Partial<TwilioConfig> = {}): TwilioConfig => ({
		baseUrl: TWILIO,
		accountSid: FAKE_ACCOUNT_SID,
		authToken: FAKE_AUTH_TOKEN,
		from: FAKE_FROM,
		timeoutMs: 1_000,
		channels: { whatsappContentSids: new Map() },
		...overrides,
	});

	it("posts To, Body and From form-encoded with Basic auth", async () => {
		const phone = uniquePhone(AREA);
		const body = "Ünïcode & = + %20 ; line\nbreak";
		const outcome = await twilioSender(config()).send(phone, body);
		expect(outcome).toEqual({ ok: true, status: "queued", id: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
		const messages = await smsTo(phone);
		expect(messages).toEqual([
			expect.objectContaining({ to: phone, from: FAKE_FROM, messagingServiceSid: null, body }),
		]);
		expect(outcome.ok && outcome.id).toBe(messages[0]?.sid);
	});

	it("uses MessagingServiceSid instead of From when configured", async () => {
		const phone = uniquePhone(AREA);
		const outcome = await twilioSender(config({ messagingServiceSid: "MG0123456789abcdef" })).send(phone, "hello");
		expect(outcome.ok).toBe(true);
		expect(await smsTo(phone)).toEqual([
			expect.objectContaining({ from: null, messagingServiceSid: "MG0123456789abcdef", body: "hello" }),
		]);
	});

	it("reports a wrong auth token as Twilio's 20003", async () => {
		const phone = uniquePhone(AREA);
		const outcome = await twilioSender(config({ authToken: "wrong" })).send(phone, "hello");
		expect(outcome).toEqual({ ok: false, reason: "failed", providerCode: 20003, httpStatus: 401 });
		expect(await smsTo(phone)).toEqual([]);
	});

	it("reports a number Twilio cannot text as invalid_number", async () => {
		const sender = twilioSender(config());
		expect(await sender.send(MAGIC_NUMBERS.invalid, "hello")).toEqual({
			ok: false,
			reason: "invalid_number",
			providerCode: 21211,
			httpStatus: 400,
		});
		expect(await sender.send(MAGIC_NUMBERS.notMobile, "hello")).toMatchObject({
			reason: "invalid_number",
			providerCode: 21614,
		});
	});

	it("reports server errors and non-JSON answers as failed", async () => {
		const sender = twilioSender(config());
		expect(await sender.send(MAGIC_NUMBERS.serverError, "hello")).toEqual({
			ok: false,
			reason: "failed",
			providerCode: 20500,
			httpStatus: 500,
		});
		const html = await sender.send(MAGIC_NUMBERS.badGateway, "hello");
		expect(html).toEqual({ ok: false, reason: "failed", providerCode: undefined, httpStatus: 502 });
	});

	it("gives up after timeoutMs", async () => {
		const started = Date.now();
		const outcome = await twilioSender(config({ timeoutMs: 100 })).send(MAGIC_NUMBERS.hang, "hello");
		expect(outcome).toEqual({ ok: false, reason: "failed" });
		expect(Date.now() - started).toBeLessThan(1_500);
	});

	it("reports an unreachable base URL as failed", async () => {
		const phone = uniquePhone(AREA);
		const outcome = await twilioSender(config({ baseUrl: "http://nowhere.test" })).send(phone, "hello");
		expect(outcome).toMatchObject({ ok: false, reason: "failed", providerCode: undefined });
		expect(await smsTo(phone)).toEqual([]);
	});
});
