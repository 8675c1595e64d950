import { env, exports } from "cloudflare:workers";
import { twilioSignature } from "../../src/messaging/twilio-signature";
import type { FakeEmail } from "./fake-resend";
import { codeIn, FAKE_AUTH_TOKEN, type FakeMessage } from "./fake-twilio";

/** What the fake providers were sent (texts, emails, their codes), and Twilio's status callbacks back to the Worker. */

export const TWILIO = "http://twilio.test";
export const RESEND = "http://resend.test";
/** Where Twilio posts delivery reports; the Worker believes it lives at env.PUBLIC_BASE_URL. */
export const STATUS_CALLBACK_URL = `${env.PUBLIC_BASE_URL}/api/webhooks/twilio/message-status`;

export async function smsTo(phone: string): Promise<FakeMessage[]> {
	const res = await fetch(`${TWILIO}/_fake/messages?to=${encodeURIComponent(phone)}`);
	const { messages } = (await res.json()) as { messages: FakeMessage[] };
	return messages;
}

/** The code in the latest SMS sent to `phone`. */
export async function lastCode(phone: string): Promise<string> {
	const messages = await smsTo(phone);
	const last = messages.at(-1);
	if (!last) throw new Error(`no SMS to ${phone}`);
	return codeIn(last.body);
}

/** A code that is certainly not `code`. */
export function wrongCode(code: string): string {
	return code === "000000" ? "000001" : "000000";
}

/** Makes the next `count` SMS to `phone` fail at the fake Twilio with `status`/`code`. */
export async function failNextSms(phone: string, status = 500, code = 20500, count = 1): Promise<void> {
	await fetch(`${TWILIO}/_fake/failures`, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({ to: phone, status, code, count }),
	});
}

export async function emailsTo(address: string): Promise<FakeEmail[]> {
	const res = await fetch(`${RESEND}/_fake/emails?to=${encodeURIComponent(address)}`);
	const { emails } = (await res.json()) as { emails: FakeEmail[] };
	return emails;
}

/** The code in the latest email sent to `address`, as a person reading it would find it. */
export async function lastEmailCode(address: string): Promise<string> {
	const last = (await emailsTo(address)).at(-1);
	if (!last?.text) throw new Error(`no email to ${address}`);
	return codeIn(last.text);
}

/**
 * Posts a Twilio status callback as Twilio would: form-encoded, signed with
 * the auth token over `url` (default: the configured public URL) and the
 * params. `signature` replaces the computed one; `sign` false sends none.
 */
export async function statusCallback(
	params: Record<string, string>,
	options: { url?: string; signature?: string; sign?: boolean; authToken?: string } = {},
): Promise<Response> {
	const url = options.url ?? STATUS_CALLBACK_URL;
	const form = new URLSearchParams(params);
	const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
	if (options.sign !== false)
		headers["x-twilio-signature"] =
			options.signature ?? (await twilioSignature(options.authToken ?? FAKE_AUTH_TOKEN, url, form));
	return exports.default.fetch(url, { method: "POST", headers, body: form.toString() });
}

/** The Twilio SID of the latest SMS sent to `phone`. */
export async function lastSid(phone: string): Promise<string> {
	const last = (await smsTo(phone)).at(-1);
	if (!last) throw new Error(`no SMS to ${phone}`);
	return last.sid;
}
