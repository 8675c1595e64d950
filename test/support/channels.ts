import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { twilioSignature } from "../../src/messaging/twilio-signature";
import { codeInTwiml, codeInVariables, FAKE_AUTH_TOKEN, type FakeCall, type FakeMessage } from "./fake-twilio";
import { challengeStub } from "./objects";
import { TWILIO } from "./outbox";

/** WhatsApp and voice codes as the tests send, read and report them. */

export const WHATSAPP_FROM = "whatsapp:+15005550006";
export const CONTENT_EN = `HX${"e".repeat(32)}`;
export const CONTENT_ES = `HX${"5".repeat(32)}`;

/** Every channel on, calls to the US only, a WhatsApp sender and templates in English and Spanish. */
export const ALL_CHANNELS = {
	OTP_CHANNELS: "sms,whatsapp,call,email",
	OTP_CALL_COUNTRIES: "US",
	TWILIO_WHATSAPP_FROM: WHATSAPP_FROM,
	TWILIO_WHATSAPP_CONTENT_SID: `en:${CONTENT_EN},es:${CONTENT_ES}`,
} as const;

/** ALL_CHANNELS with the automatic fallback on (after `seconds` without `delivered`). */
export const withFallback = (seconds = 30) => ({
	...ALL_CHANNELS,
	OTP_AUTO_FALLBACK: "on",
	OTP_FALLBACK_AFTER_SECONDS: String(seconds),
});

/**
 * Gives the phone's object `vars` over the suite's bindings, as the Worker
 * of clientOn(ip, vars) has them; call it before the object's first use in
 * a test (its policy is read once, on first use).
 */
export async function setObjectVars(phone: string, vars: Record<string, string>): Promise<void> {
	await runInDurableObject(challengeStub(phone), (instance) => {
		const o = instance as unknown as { env: Env };
		o.env = { ...env, ...vars } as unknown as Env;
	});
}

/** The WhatsApp messages the fake Twilio accepted for `phone`. */
export async function whatsappTo(phone: string): Promise<FakeMessage[]> {
	const res = await fetch(`${TWILIO}/_fake/messages?to=${encodeURIComponent(`whatsapp:${phone}`)}`);
	return ((await res.json()) as { messages: FakeMessage[] }).messages;
}

export async function lastWhatsAppCode(phone: string): Promise<string> {
	const last = (await whatsappTo(phone)).at(-1);
	if (!last) throw new Error(`no WhatsApp message to ${phone}`);
	return codeInVariables(last.contentVariables ?? null);
}

/** The calls the fake Twilio placed to `phone`, with their TwiML. */
export async function callsTo(phone: string): Promise<FakeCall[]> {
	const res = await fetch(`${TWILIO}/_fake/calls?to=${encodeURIComponent(phone)}`);
	return ((await res.json()) as { calls: FakeCall[] }).calls;
}

export async function lastCallCode(phone: string): Promise<string> {
	const last = (await callsTo(phone)).at(-1);
	if (!last) throw new Error(`no call to ${phone}`);
	return codeInTwiml(last.twiml);
}

export const CALL_STATUS_URL = `${env.PUBLIC_BASE_URL}/api/webhooks/twilio/call-status`;

/** Posts a call status callback as Twilio would: form-encoded, signed over the public URL (`sign` false: unsigned). */
export async function callStatus(params: Record<string, string>, sign = true): Promise<Response> {
	const form = new URLSearchParams({ AccountSid: "AC00000000000000000000000000000001", ...params });
	const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
	if (sign) headers["x-twilio-signature"] = await twilioSignature(FAKE_AUTH_TOKEN, CALL_STATUS_URL, form);
	return exports.default.fetch(CALL_STATUS_URL, { method: "POST", headers, body: form.toString() });
}
