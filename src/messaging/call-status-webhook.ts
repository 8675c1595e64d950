import { createRoute, z } from "@hono/zod-openapi";
import { readPhone } from "../phone/normalize";
import { createRouter } from "../platform/create-router";
import { errorResponses } from "../platform/error-schema";
import { logPhone } from "../platform/request-log";
import { CALL_STATUS_CALLBACK_PATH } from "./deliver";
import { FORM_TYPE, hear, ignored, type ReceiptSink, signedParams, TwilioErrorCode } from "./twilio-callback";

/**
 * A call's status as the message statuses of status.ts rank it: answered
 * (`in-progress`) is sent, `completed` (the code was read out) delivered;
 * busy, no-answer and failed are failed, canceled stays canceled (failed too).
 */
const AS_MESSAGE_STATUS: Record<string, string> = {
	queued: "queued",
	initiated: "queued",
	ringing: "sending",
	"in-progress": "sent",
	completed: "delivered",
	busy: "failed",
	"no-answer": "failed",
	failed: "failed",
	canceled: "canceled",
};

/** The fields of Twilio's call status callback this service reads; Twilio sends more. */
const CallStatusCallback = z
	.looseObject({
		CallSid: z.string().regex(/^CA[0-9a-fA-F]{32}$/, "must be a Twilio call SID"),
		CallStatus: z.enum(Object.keys(AS_MESSAGE_STATUS) as [string, ...string[]]),
		To: z.string().max(32),
		ErrorCode: TwilioErrorCode,
	})
	.openapi("TwilioCallStatusCallback");

const route = createRoute({
	method: "post",
	path: CALL_STATUS_CALLBACK_PATH,
	tags: ["Webhooks"],
	summary: "Twilio call status callback",
	description:
		"Twilio calls it when a code's voice call is answered and when it ends (calls ask for it when PUBLIC_BASE_URL is set). `completed` counts as delivered; `busy`, `no-answer`, `failed` and `canceled` as failed (the automatic fallback, when on, is then due). Accepted only with a valid `X-Twilio-Signature`; callbacks that arrive late or twice change nothing.",
	request: {
		headers: z.object({ "x-twilio-signature": z.string() }),
		body: { content: { [FORM_TYPE]: { schema: CallStatusCallback } }, required: true },
	},
	responses: {
		204: { description: "Recorded (or already known)" },
		...errorResponses("INVALID_SIGNATURE", "SERVICE_UNAVAILABLE"),
	},
});

/** `/api/webhooks/twilio/call-status`: voice calls' outcomes, verified as every Twilio callback. */
export function callStatusRouter(sink: ReceiptSink) {
	const router = createRouter();
	router.openAPIRegistry.registerPath(route);
	router.post(CALL_STATUS_CALLBACK_PATH, async (c) => {
		const params = await signedParams(c);
		const parsed = CallStatusCallback.safeParse(Object.fromEntries(params));
		const phone = parsed.success ? readPhone(parsed.data.To) : null;
		if (!parsed.success || !phone) return ignored(c, params);
		logPhone(c, phone);
		const { CallSid: messageId, CallStatus: callStatus, ErrorCode } = parsed.data;
		const status = AS_MESSAGE_STATUS[callStatus] as string;
		await hear(c, sink, {
			channel: "call",
			messageId,
			phone,
			status,
			errorCode: ErrorCode ? Number(ErrorCode) : undefined,
		});
		return c.body(null, 204);
	});
	return router;
}
