import type { Config } from "../config/config";
import type { Phone } from "../phone/parse";
import { errorMessage, log } from "../platform/log";
import type { Caller, Issued } from "./contract";
import { deliverIssued, type SendReporter } from "./send-pipeline";

/** A fallback code the phone's object committed, for the send pipeline. */
export interface FallbackSend {
	issued: Issued;
	phone: Phone;
	caller: Caller;
}

/**
 * Sends a committed fallback code through the same pipeline as any send
 * (budgets, range guard, provider, report); `reporter` (the phone's object)
 * hears sent or undo. Never throws: an alarm that threw would run again.
 */
export async function deliverFallback(env: Env, config: Config, reporter: SendReporter, send: FallbackSend) {
	const { issued, phone, caller } = send;
	const fields = { phone: phone.masked, callingCode: phone.callingCode, channel: issued.channel };
	try {
		const result = await deliverIssued(env, config, reporter, issued, phone, caller);
		if (result.ok) log("info", "otp_fallback_sent", { ...fields, delivery: result.delivery });
		else log("warn", "otp_fallback_failed", { ...fields, code: result.code, twilioErrorCode: result.twilioErrorCode });
	} catch (err) {
		log("error", "otp_fallback_failed", { ...fields, error: errorMessage(err) });
	}
}
