import { type Failure, failure } from "../errors/errors";
import type { DeliveryOutcome } from "./deliver";
import type { SendContext } from "./report";

/**
 * What Twilio's error codes mean to this service. Twilio answers these for a
 * number that cannot get an SMS (invalid, or not a mobile): the client's
 * mistake, a 400 on the phone field. Every other code is the provider's
 * failure, a 502 that carries the code to the request's log line only.
 */
const INVALID_NUMBER_CODES = new Set([21211, 21614]);

/** Why a Messages API call failed, by Twilio's error code. */
export function failureReason(providerCode: number | undefined): "invalid_number" | "failed" {
	return providerCode && INVALID_NUMBER_CODES.has(providerCode) ? "invalid_number" : "failed";
}

/** The client's answer to a message that did not go out. */
export function deliveryFailure(context: SendContext, outcome: Extract<DeliveryOutcome, { ok: false }>): Failure {
	if (context.email) return failure("EMAIL_DELIVERY_FAILED");
	return outcome.invalidNumber
		? failure("VALIDATION_ERROR", { field: "phone", message: "phone: this number cannot receive SMS" })
		: failure("SMS_DELIVERY_FAILED", { twilioErrorCode: outcome.providerCode });
}
