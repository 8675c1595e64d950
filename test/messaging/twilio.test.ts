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
