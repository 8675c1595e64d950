import { createRoute, z } from "@hono/zod-openapi";
import { readPhone } from "../phone/normalize";
import { createRouter } from "../platform/create-router";
import { errorResponses } from "../platform/error-schema";
import { logPhone } from "../platform/request-log";
import { callStatusRouter } from "./call-status-webhook";
import { STATUS_CALLBACK_PATH } from "./deliver";
import { FORM_TYPE, hear, ignored, type ReceiptSink, signedParams, TwilioErrorCode } from "./twilio-callback";

export type { ReceiptSink };

/** The fields of Twilio's message status callback this service reads; Twilio sends more, and may add some. */
const StatusCallback = z
	.looseObject({
		MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, "must be a Twilio message SID"),
		MessageStatus: z.string().regex(/^[a-z_]{2,20}$/, "must be a Twilio message status"),
		To: z.string().max(48),
		ErrorCode: TwilioErrorCode,
	})
	.openapi("TwilioStatusCallback");

const route = createRoute({
	method: "post",
	path: STATUS_CALLBACK_PATH,
	tags: ["Webhooks"],
	summary: "Twilio message status callback",
	description:
		"Twilio calls it for every status change of a code's SMS or WhatsApp message (`To` = `whatsapp:+E164`; `read` counts as delivered). Sends ask for it when PUBLIC_BASE_URL is set. Accepted only with a valid `X-Twilio-Signature`; callbacks that arrive late or twice change nothing. A `failed` or `undelivered` status makes the registration's automatic fallback due (OTP_AUTO_FALLBACK=on).",
	request: {
		headers: z.object({ "x-twilio-signature": z.string() }),
		body: { content: { [FORM_TYPE]: { schema: StatusCallback } }, required: true },
	},
	responses: {
		204: { description: "Recorded (or already known)" },
		...errorResponses("INVALID_SIGNATURE", "SERVICE_UNAVAILABLE"),
	},
});

/**
 * `/api/webhooks/twilio/message-status`: delivery reports of SMS and
 * WhatsApp messages (To is `whatsapp:+E164` for the latter), verified
 * before anything is read or recorded; `sink` hears each one before the
 * message log. The call-status route (call-status-webhook.ts) joins it.
 */
export function webhookRouter(sink: ReceiptSink) {
	const router = createRouter();
	router.openAPIRegistry.registerPath(route);
	router.post(STATUS_CALLBACK_PATH, async (c) => {
		const params = await signedParams(c);
		const parsed = StatusCallback.safeParse(Object.fromEntries(params));
		const to = parsed.success ? parsed.data.To : "";
		const whatsapp = to.startsWith("whatsapp:");
		const phone = parsed.success ? readPhone(whatsapp ? to.slice("whatsapp:".length) : to) : null;
		if (!parsed.success || !phone) return ignored(c, params);
		logPhone(c, phone);
		const { MessageSid: messageId, MessageStatus: status } = parsed.data;
		const errorCode = parsed.data.ErrorCode ? Number(parsed.data.ErrorCode) : undefined;
		const channel = whatsapp ? "whatsapp" : "sms";
		await hear(c, sink, { channel, messageId, phone, status, errorCode });
		return c.body(null, 204);
	});
	router.route("/", callStatusRouter(sink));
	return router;
}
