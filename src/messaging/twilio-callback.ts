import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ApiError } from "../errors/errors";
import { emit } from "../events/emit";
import type { Phone } from "../phone/parse";
import type { AppEnv } from "../platform/app-env";
import { boundedText } from "../platform/json-body";
import { errorMessage, log } from "../platform/log";
import { reportStatus } from "./report";
import { twilioSignatureValid } from "./twilio-signature";

export const FORM_TYPE = "application/x-www-form-urlencoded";

/** `ErrorCode` of a message or call status callback: Twilio's numeric error code, when it failed. */
export const TwilioErrorCode = z
	.string()
	.regex(/^\d{1,6}$/, "must be a Twilio error code")
	.optional();

/** Hands one message's or call's status to whatever holds the code it carried (the phone's object). */
export type ReceiptSink = (env: Env, phone: Phone, messageId: string, status: string) => Promise<void>;

/**
 * The parameters of a Twilio callback, once its `X-Twilio-Signature` is
 * valid for the URL it was sent to (or the configured public one); every
 * other request answers INVALID_SIGNATURE before anything is read or recorded.
 */
export async function signedParams(c: Context<AppEnv>): Promise<URLSearchParams> {
	const config = c.get("config");
	// Without an auth token no signature can be checked, so nothing is accepted.
	if (config.sms.kind !== "twilio") throw new ApiError("INVALID_SIGNATURE");
	const { authToken } = config.sms.twilio;
	const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
	if (type !== FORM_TYPE) throw new ApiError("INVALID_SIGNATURE");
	const params = new URLSearchParams(await boundedText(c.req.raw, 16 * 1024));
	const signature = c.req.header("x-twilio-signature");
	const urls = signedUrls(c.req.url, config.publicBaseUrl);
	const checks = await Promise.all(urls.map((url) => twilioSignatureValid(authToken, signature, url, params)));
	if (!checks.some(Boolean)) throw new ApiError("INVALID_SIGNATURE");
	return params;
}

/** Signed by Twilio, yet not a status this service can use (another webhook pointed here?): logged, answered 204. */
export function ignored(c: Context<AppEnv>, params: URLSearchParams): Response {
	log("warn", "twilio_callback_ignored", { requestId: c.get("requestId"), fields: [...params.keys()].slice(0, 20) });
	return c.body(null, 204);
}

/**
 * The URLs Twilio may have signed: the one it called, and the configured
 * public one with the same path and query (a proxy or tunnel in front of
 * the Worker can change the host the Worker sees).
 */
function signedUrls(requestUrl: string, publicBaseUrl: string | undefined): string[] {
	if (!publicBaseUrl) return [requestUrl];
	const called = new URL(requestUrl);
	const configured = `${publicBaseUrl}${called.pathname}${called.search}`;
	return configured === requestUrl ? [requestUrl] : [requestUrl, configured];
}

/**
 * A verified status: the pending registration hears first (it decides what
 * the customer is offered, and its fallback), then the record. Either
 * failing answers 503, so a Twilio retry (if configured) can bring it again.
 * A failed one is a `message.undelivered` event.
 */
export async function hear(
	c: Context<AppEnv>,
	sink: ReceiptSink,
	heard: { channel: "sms" | "whatsapp" | "call"; messageId: string; phone: Phone; status: string; errorCode?: number },
): Promise<void> {
	if (heard.errorCode) c.get("log").twilioErrorCode = heard.errorCode;
	try {
		await sink(c.env, heard.phone, heard.messageId, heard.status);
		await reportStatus(c.env, { ...heard, requestId: c.get("requestId"), at: c.get("now") });
	} catch (err) {
		log("error", "message_tracking_failed", { requestId: c.get("requestId"), error: errorMessage(err) });
		throw new ApiError("SERVICE_UNAVAILABLE");
	}
	if (heard.status === "failed" || heard.status === "undelivered")
		emit(c, "message.undelivered", {
			phone: heard.phone.masked,
			channel: heard.channel,
			providerCode: heard.errorCode,
		});
}
