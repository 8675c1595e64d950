import { type Failure, failure } from "../errors/errors";
import type { DeliveryOutcome } from "./deliver";
import type { SendContext } from "./report";

/**
 * What Twilio's error codes mean to this service. A number that cannot get
 * an SMS or a call (invalid, not a mobile) is the client's mistake: a 400 on
 * the phone field. A number WhatsApp does not know (63003: the channel could
 * not find the To address) is a 422 CHANNEL_UNREACHABLE, so the client offers
 * another channel. Every other code (63016 outside the 24-hour window means
 * the template is not one: the operator's mistake) is the provider's
 * failure, a 502 that carries the code to the request's log line only.
 */
const INVALID_NUMBER_CODES = new Set([21211, 21614, 13223, 13224]);
const UNREACHABLE_CODES = new Set([63003]);

/** Why a Messages or Calls API call failed, by Twilio's error code. */
export function failureReason(providerCode: number | undefined): "invalid_number" | "unreachable" | "failed" {
	if (providerCode && INVALID_NUMBER_CODES.has(providerCode)) return "invalid_number";
	if (providerCode && UNREACHABLE_CODES.has(providerCode)) return "unreachable";
	return "failed";
}

const FAILED: Record<SendContext["channel"], string> = {
	sms: "The SMS could not be sent; try again",
	whatsapp: "The WhatsApp message could not be sent; try again or choose another channel",
	call: "The call could not be made; try again or choose another channel",
	email: "The email could not be sent; try again",
};

/** The client's answer to a message that did not go out. */
export function deliveryFailure(context: SendContext, outcome: Extract<DeliveryOutcome, { ok: false }>): Failure {
	if (context.email) return failure("EMAIL_DELIVERY_FAILED");
	if (outcome.reason === "invalid_number")
		return failure("VALIDATION_ERROR", {
			field: "phone",
			message: `phone: this number cannot receive ${context.channel === "call" ? "calls" : "SMS"}`,
		});
	if (outcome.reason === "unreachable")
		return failure("CHANNEL_UNREACHABLE", {
			field: "phone",
			message: "This number is not on WhatsApp; choose another channel",
			twilioErrorCode: outcome.providerCode,
		});
	return failure("SMS_DELIVERY_FAILED", { twilioErrorCode: outcome.providerCode, message: FAILED[context.channel] });
}
