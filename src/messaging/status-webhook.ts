import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../errors/errors";
import { emit } from "../events/emit";
import { readPhone } from "../phone/normalize";
import type { Phone } from "../phone/parse";
import { createRouter } from "../platform/create-router";
import { errorResponses } from "../platform/error-schema";
import { boundedText } from "../platform/json-body";
import { errorMessage, log } from "../platform/log";
import { logPhone } from "../platform/request-log";
import { STATUS_CALLBACK_PATH } from "./deliver";
import { reportStatus } from "./report";
import { twilioSignatureValid } from "./twilio-signature";

const FORM_TYPE = "application/x-www-form-urlencoded";

/** The fields of Twilio's message status callback this service reads; Twilio sends more, and may add some. */
const StatusCallback = z
	.looseObject({
		MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, "must be a Twilio message SID"),
		MessageStatus: z.string().regex(/^[a-z_]{2,20}$/, "must be a Twilio message status"),
		To: z.string().max(32),
		ErrorCode: z
			.string()
			.regex(/^\d{1,6}$/, "must be a Twilio error code")
			.optional(),
	})
	.openapi("TwilioStatusCallback");

const route = createRoute({
	method: "post",
	path: STATUS_CALLBACK_PATH,
	tags: ["Webhooks"],
	summary: "Twilio message status callback",
	description:
		"Twilio calls it for every status change of a code's SMS (sends ask for it when PUBLIC_BASE_URL is set). Accepted only with a valid `X-Twilio-Signature`; callbacks that arrive late or twice change nothing.",
	request: {
		headers: z.object({ "x-twilio-signature": z.string() }),
		body: { content: { [FORM_TYPE]: { schema: StatusCallback } }, required: true },
	},
	responses: {
		204: { description: "Recorded (or already known)" },
		...errorResponses("INVALID_SIGNATURE", "SERVICE_UNAVAILABLE"),
	},
});

/** Hands one message's status to whatever holds the code it carried (the phone's object). */
export type ReceiptSink = (env: Env, phone: Phone, messageId: string, status: string) => Promise<void>;

/**
 * `/api/webhooks/twilio/message-status`: delivery reports, verified before
 * anything is read or recorded; `sink` hears each one before the message log.
 */
export function webhookRouter(sink: ReceiptSink) {
	const router = createRouter();
	router.openAPIRegistry.registerPath(route);
	router.post(STATUS_CALLBACK_PATH, async (c) => {
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

		const parsed = StatusCallback.safeParse(Object.fromEntries(params));
		const phone = parsed.success ? readPhone(parsed.data.To) : null;
		if (!parsed.success || !phone) {
			// Signed by Twilio, yet not a message status this service can use (another webhook pointed here?).
			log("warn", "twilio_callback_ignored", {
				requestId: c.get("requestId"),
				fields: [...params.keys()].slice(0, 20),
			});
			return c.body(null, 204);
		}
		logPhone(c, phone);
		const { MessageSid: messageId, MessageStatus: status } = parsed.data;
		const errorCode = parsed.data.ErrorCode ? Number(parsed.data.ErrorCode) : undefined;
		if (errorCode) c.get("log").twilioErrorCode = errorCode;
		// The pending registration hears first (it decides what the customer is offered), then the record.
		// Either failing answers 503, so a Twilio retry (if configured) can bring the status again.
		try {
			await sink(c.env, phone, messageId, status);
			await reportStatus(c.env, {
				requestId: c.get("requestId"),
				messageId,
				phone,
				status,
				errorCode,
				at: c.get("now"),
			});
		} catch (err) {
			log("error", "message_tracking_failed", { requestId: c.get("requestId"), error: errorMessage(err) });
			throw new ApiError("SERVICE_UNAVAILABLE");
		}
		if (status === "failed" || status === "undelivered")
			emit(c, "message.undelivered", { phone: phone.masked, channel: "sms", providerCode: errorCode });
		return c.body(null, 204);
	});
	return router;
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
