import type { Channel } from "../config/config";
import type { Phone } from "../phone/parse";
import { errorMessage, log, maskEmail } from "../platform/log";
import type { Locale } from "./i18n/locale";
import { messageRepository } from "./message-log";

/** Who sent what, for one code: everything a report about it needs, no secret among it. */
export interface SendContext {
	requestId?: string;
	purpose: "register" | "reset";
	channel: Channel;
	challengeId: string;
	phone: Phone;
	/** The address an email went to; absent for SMS. */
	email?: string;
	/** The language of the message; absent: DEFAULT_LOCALE. */
	locale?: Locale;
}

type Event = `${Channel}_sent` | `${Channel}_failed` | `${Channel}_status` | "code_verified";

/**
 * A message the provider accepted: one log line, one Analytics Engine data
 * point, one row in the messages table. Never throws: the code is on its way
 * whatever the bookkeeping does.
 */
export async function reportSent(env: Env, send: SendContext, messageId: string, status: string, at: number) {
	const fields = describe(send);
	log("info", `${send.channel}_sent`, { ...fields, messageId, status });
	count(env, `${send.channel}_sent`, fields, status);
	await recordMessage(env, send, fields, { id: messageId, status, at });
}

/**
 * A message the provider refused (or never answered). A refusal with an
 * HTTP status is recorded as a failed message, so the stats show Twilio's
 * error codes for sends that never left as well.
 */
export async function reportFailed(
	env: Env,
	send: SendContext,
	problem: { httpStatus?: number; providerCode?: number; providerError?: string },
	at: number,
) {
	const fields = describe(send);
	log("warn", `${send.channel}_failed`, { ...fields, ...problem, twilioErrorCode: problem.providerCode });
	count(env, `${send.channel}_failed`, fields, "failed", problem.providerCode);
	if (problem.httpStatus === undefined) return;
	await recordMessage(env, send, fields, {
		id: `rejected-${crypto.randomUUID()}`,
		status: "failed",
		errorCode: problem.providerCode,
		at,
	});
}

/** A Twilio status callback (already authenticated). */
export async function reportStatus(
	env: Env,
	callback: {
		requestId?: string;
		channel: Exclude<Channel, "email">;
		messageId: string;
		phone: Phone;
		status: string;
		errorCode?: number;
		at: number;
	},
) {
	const { callingCode, masked } = callback.phone;
	const fields = { requestId: callback.requestId, phone: masked, callingCode };
	const event = `${callback.channel}_status` as const;
	log(callback.errorCode ? "warn" : "info", event, {
		...fields,
		messageId: callback.messageId,
		status: callback.status,
		twilioErrorCode: callback.errorCode,
	});
	count(env, event, { ...fields, channel: callback.channel }, callback.status, callback.errorCode);
	await messageRepository(env.DB).record({
		id: callback.messageId,
		channel: callback.channel,
		destination: fields.phone,
		callingCode,
		range: callback.phone.range,
		status: callback.status,
		errorCode: callback.errorCode,
		at: callback.at,
	});
}

/** A code was verified: every message of its challenge led somewhere. */
export async function reportVerified(env: Env, send: SendContext, at: number) {
	const fields = describe(send);
	log("info", "code_verified", fields);
	count(env, "code_verified", fields, "verified");
	await messageRepository(env.DB)
		.markVerified(send.challengeId, at)
		.catch((err: unknown) => log("error", "message_tracking_failed", { ...fields, error: errorMessage(err) }));
}

function describe(send: SendContext) {
	return {
		requestId: send.requestId,
		purpose: send.purpose,
		channel: send.channel,
		phone: send.phone.masked,
		email: send.email ? maskEmail(send.email) : undefined,
		callingCode: send.phone.callingCode,
	};
}

/** Writes the send's row; `fields` (from {@link describe}) already hold the masked destination. */
async function recordMessage(
	env: Env,
	send: SendContext,
	fields: ReturnType<typeof describe>,
	message: { id: string; status: string; errorCode?: number; at: number },
) {
	await messageRepository(env.DB)
		.record({
			...message,
			channel: send.channel,
			purpose: send.purpose,
			challengeId: send.challengeId,
			destination: fields.email ?? fields.phone,
			callingCode: fields.callingCode,
			range: send.phone.range,
		})
		.catch((err: unknown) => log("error", "message_tracking_failed", { ...fields, error: errorMessage(err) }));
}

/**
 * One data point per event in the OTP_EVENTS Analytics Engine dataset:
 * blobs [event, channel, purpose, calling code, status, Twilio error code].
 * Absent binding (a trimmed config): nothing is counted.
 */
function count(
	env: Env,
	event: Event,
	fields: { channel?: string; purpose?: string; callingCode: string },
	status: string,
	errorCode?: number,
) {
	env.OTP_EVENTS?.writeDataPoint({
		indexes: [fields.callingCode],
		blobs: [event, fields.channel ?? "", fields.purpose ?? "", fields.callingCode, status, String(errorCode ?? "")],
		doubles: [1],
	});
}
