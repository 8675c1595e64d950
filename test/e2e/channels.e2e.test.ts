import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeInTwiml, codeInVariables, MAGIC_NUMBERS } from "../support/fake-twilio.ts";
import { type Stack, startStack } from "../support/stack.ts";
import { eventually } from "../support/wait.ts";

/**
 * The automatic fallback over real HTTP: `wrangler dev` with WhatsApp on and
 * OTP_AUTO_FALLBACK=on; the fake Twilio reports the SMS `undelivered` by a
 * signed callback, the phone's alarm sends the code by WhatsApp on its own,
 * and that code registers the customer.
 */

const WHATSAPP_TEMPLATE = `HX${"c".repeat(32)}`;
let stack: Stack | undefined;

beforeAll(async () => {
	stack = await startStack({
		OTP_SECRET: "e2e-otp-secret-e2e-otp-secret-0123456789",
		OTP_CHANNELS: "sms,whatsapp,call",
		OTP_CALL_COUNTRIES: "US",
		TWILIO_WHATSAPP_FROM: "whatsapp:+15005550006",
		TWILIO_WHATSAPP_CONTENT_SID: WHATSAPP_TEMPLATE,
		OTP_AUTO_FALLBACK: "on",
	});
});

afterAll(async () => {
	await stack?.stop();
});

async function call(method: "GET" | "POST", path: string, body?: unknown): Promise<Response> {
	if (!stack) throw new Error("wrangler dev is not running");
	return fetch(`${stack.dev.url}/api/customers/${path}`, {
		method,
		headers: body ? { "content-type": "application/json" } : {},
		body: body ? JSON.stringify(body) : undefined,
	});
}

describe("fallback driven by receipts", () => {
	it("an undelivered SMS: the code goes out by WhatsApp on its own, and that code registers", async () => {
		const phone = MAGIC_NUMBERS.unreachable;
		const registration = {
			name: "Grace Hopper",
			email: "grace-e2e@example.com",
			phone,
			password: "correct horse battery",
		};
		const sent = await call("POST", "send-otp", registration);
		expect(sent.status).toBe(200);
		const { registrationId } = (await sent.json()) as { registrationId: string };
		const [sms] = (await stack?.sms(phone)) ?? [];
		expect(sms?.body).toMatch(/\d{6}/);

		const whatsapp = await eventually(async () => (await stack?.sms(`whatsapp:${phone}`))?.[0], {
			what: "the WhatsApp fallback",
			timeoutMs: 15_000,
			everyMs: 100,
		});
		expect(whatsapp).toMatchObject({ from: "whatsapp:+15005550006", contentSid: WHATSAPP_TEMPLATE, body: "" });
		const code = codeInVariables(whatsapp.contentVariables ?? null);

		const status = await eventually(
			async () => {
				const res = await call("GET", `otp-status?${new URLSearchParams({ phone, registrationId })}`);
				const body = (await res.json()) as { deliveries?: Record<string, string> };
				return body.deliveries?.whatsapp === "delivered" ? body : undefined;
			},
			{ what: "the WhatsApp receipt", timeoutMs: 10_000, everyMs: 100 },
		);
		expect(status).toMatchObject({
			channel: "whatsapp",
			deliveries: { sms: "failed", whatsapp: "delivered" },
			nextChannel: "call",
		});

		// The SMS code died with the fallback; the WhatsApp one registers.
		const old = await call("POST", "verify-otp", { phone, registrationId, otp: sms?.body.match(/\d{6}/)?.[0] });
		expect(old.status).toBe(400);
		const verified = await call("POST", "verify-otp", { phone, registrationId, otp: code });
		expect(verified.status).toBe(201);
		expect(await verified.json()).toMatchObject({ success: true, customerId: expect.any(Number) });
		// Once: nothing more is sent.
		expect(await stack?.sms(`whatsapp:${phone}`)).toHaveLength(1);
	});

	it("a code by voice call: the fake's signed call callbacks make it delivered, and the spoken code registers", async () => {
		const phone = "+14155550177";
		const registration = {
			name: "Ada Lovelace",
			email: "ada-call-e2e@example.com",
			phone,
			password: "correct horse battery",
		};
		const sent = await call("POST", "send-otp", { ...registration, channel: "call", locale: "de" });
		expect(sent.status).toBe(200);
		const { registrationId } = (await sent.json()) as { registrationId: string };
		const [placed] = (await stack?.calls(phone)) ?? [];
		expect(placed?.twiml).toContain('language="de-DE"');
		const delivered = await eventually(
			async () => {
				const res = await call("GET", `otp-status?${new URLSearchParams({ phone, registrationId })}`);
				const body = (await res.json()) as { delivery?: string };
				return body.delivery === "delivered" ? body : undefined;
			},
			{ what: "the call's completed callback", timeoutMs: 10_000, everyMs: 100 },
		);
		expect(delivered).toMatchObject({ channel: "call", deliveries: { call: "delivered" } });
		const verified = await call("POST", "verify-otp", { phone, registrationId, otp: codeInTwiml(placed?.twiml ?? "") });
		expect(verified.status).toBe(201);
	});
});
