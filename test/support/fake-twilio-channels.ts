/**
 * The fake Twilio's WhatsApp and voice parts, answering as Twilio does.
 *
 * WhatsApp goes through the Messages API with `whatsapp:` addresses. A
 * business-initiated message needs `ContentSid` (an approved `HX…`
 * template) and `ContentVariables` (JSON); a free-form `Body` is accepted
 * and then fails with 63016 (outside the 24-hour window), and a number
 * without WhatsApp is accepted and then fails with 63003, both reported by
 * status callback, as Twilio reports them. `read` follows `delivered`.
 *
 * Calls go through `Calls.json`: `To`, `From`, and `Twiml` (this fake
 * requires inline TwiML); 201 with a `CA…` sid, status `queued`; then,
 * with callbacks on, `in-progress` and the final status (`completed`, or
 * `no-answer` for {@link CALL_NO_ANSWER}) to the StatusCallback.
 */

import { randomHex } from "./random-hex.ts";

/** Accepted by the Messages API, then failed with 63003: not on WhatsApp. */
export const NOT_ON_WHATSAPP = "+15005550630";
/** A call that rings out: `no-answer`. */
export const CALL_NO_ANSWER = "+15005550486";

export interface FakeMessage {
	sid: string;
	to: string;
	from: string | null;
	messagingServiceSid: string | null;
	body: string;
	/** WhatsApp templates: the content and its variables (JSON). */
	contentSid?: string | null;
	contentVariables?: string | null;
	dateCreated: string;
}

export interface FakeCall {
	sid: string;
	to: string;
	from: string;
	twiml: string;
	dateCreated: string;
}

export type Step = { status: string; code?: string };
type TwilioError = (status: number, code: number, message: string) => Response;

/** What a WhatsApp send asks for: a refusal now, or the statuses its callback will report. */
export function whatsappVerdict(form: URLSearchParams, fail: TwilioError, absent: ReadonlySet<string>) {
	const to = form.get("To") ?? "";
	const from = form.get("From") ?? "";
	if (!/^whatsapp:\+[1-9]\d{7,14}$/.test(to)) return { refused: fail(400, 21211, `Invalid 'To' Phone Number: ${to}`) };
	if (!from.startsWith("whatsapp:") && !form.get("MessagingServiceSid"))
		return { refused: fail(400, 63007, "Twilio could not find a Channel with the specified From address") };
	const contentSid = form.get("ContentSid");
	const body = form.get("Body");
	if (!contentSid && !body)
		return { refused: fail(400, 21619, "A text message body or media urls must be specified.") };
	if (contentSid && !/^HX[0-9a-fA-F]{32}$/.test(contentSid))
		return { refused: fail(400, 21655, "The ContentSid is Invalid.") };
	const variables = form.get("ContentVariables");
	if (variables !== null) {
		try {
			JSON.parse(variables);
		} catch {
			return { refused: fail(400, 21656, "The ContentVariables Parameter is invalid.") };
		}
	}
	const outcome: Step = absent.has(to.slice("whatsapp:".length))
		? { status: "failed", code: "63003" }
		: contentSid
			? { status: "delivered" }
			: { status: "failed", code: "63016" };
	const steps: Step[] = outcome.status === "delivered" ? [{ status: "sent" }, outcome, { status: "read" }] : [outcome];
	return { steps };
}

/** A Calls API request: a refusal, or the call placed and the statuses its callback will report. */
export function placeCall(form: URLSearchParams, accountSid: string, fail: TwilioError) {
	const to = form.get("To") ?? "";
	const from = form.get("From") ?? "";
	const twiml = form.get("Twiml");
	if (!/^\+[1-9]\d{7,14}$/.test(to))
		return { refused: fail(400, 13224, "The phone number you are attempting to call, is not valid.") };
	if (!from) return { refused: fail(400, 21213, "No 'From' number is specified") };
	if (!twiml?.includes("<Response")) return { refused: fail(400, 21205, "Url parameter is required.") };
	const call: FakeCall = { sid: `CA${randomHex(32)}`, to, from, twiml, dateCreated: new Date().toUTCString() };
	const steps: Step[] = [{ status: "in-progress" }, { status: to === CALL_NO_ANSWER ? "no-answer" : "completed" }];
	const resource = {
		account_sid: accountSid,
		api_version: "2010-04-01",
		date_created: call.dateCreated,
		direction: "outbound-api",
		from,
		to,
		sid: call.sid,
		status: "queued",
		uri: `/2010-04-01/Accounts/${accountSid}/Calls/${call.sid}.json`,
	};
	return { call, steps, response: Response.json(resource, { status: 201 }) };
}

/** The parameters of a call status callback, as Twilio posts them. */
export function callStatusParams(call: FakeCall, accountSid: string, status: string): URLSearchParams {
	return new URLSearchParams({
		AccountSid: accountSid,
		ApiVersion: "2010-04-01",
		CallSid: call.sid,
		CallStatus: status,
		Direction: "outbound-api",
		From: call.from,
		To: call.to,
	});
}

/** The code a person hears in a call: the first thing said that holds six digits (spoken one by one). */
export function codeInTwiml(twiml: string): string {
	for (const [, said = ""] of twiml.matchAll(/<Say[^>]*>([\s\S]*?)<\/Say>/g)) {
		const digits = said.replace(/\D/g, "");
		if (digits.length === 6) return digits;
	}
	throw new Error(`no code in TwiML: ${twiml}`);
}

/** The code of a WhatsApp template message: its variable `1`. */
export function codeInVariables(variables: string | null): string {
	const code = variables ? (JSON.parse(variables) as Record<string, string>)["1"] : undefined;
	if (!code) throw new Error(`no code in ContentVariables: ${variables}`);
	return code;
}

/** Twilio's request signature: HMAC-SHA1 over the URL and the sorted parameters, base64. */
export async function sign(authToken: string, url: string, params: URLSearchParams): Promise<string> {
	const encoder = new TextEncoder();
	const key = await crypto.subtle.importKey("raw", encoder.encode(authToken), { name: "HMAC", hash: "SHA-1" }, false, [
		"sign",
	]);
	const data = [...params.keys()].sort().reduce((acc, name) => acc + name + params.get(name), url);
	const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(data));
	return btoa(String.fromCharCode(...new Uint8Array(mac)));
}

/** The parameters of a message status callback, as Twilio posts them. */
export function messageStatusParams(message: FakeMessage, accountSid: string, step: Step): URLSearchParams {
	const params = new URLSearchParams({
		AccountSid: accountSid,
		ApiVersion: "2010-04-01",
		From: message.from ?? "",
		MessageSid: message.sid,
		MessageStatus: step.status,
		SmsSid: message.sid,
		SmsStatus: step.status,
		To: message.to,
	});
	if (step.code) params.set("ErrorCode", step.code);
	return params;
}

/** Twilio's 201 with the message resource. */
export function createdMessage(message: FakeMessage, accountSid: string): Response {
	const { body, from, messagingServiceSid, to } = message;
	return Response.json(
		{
			account_sid: accountSid,
			api_version: "2010-04-01",
			body,
			date_created: message.dateCreated,
			date_sent: null,
			date_updated: message.dateCreated,
			direction: "outbound-api",
			error_code: null,
			error_message: null,
			from,
			messaging_service_sid: messagingServiceSid,
			num_media: "0",
			num_segments: "1",
			price: null,
			price_unit: "USD",
			sid: message.sid,
			status: "queued",
			to,
			uri: `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}.json`,
		},
		{ status: 201 },
	);
}
