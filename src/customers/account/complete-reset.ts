import type { Context } from "hono";
import { hashPassword } from "../../auth/passwords";
import { ApiError } from "../../errors/errors";
import { emit } from "../../events/emit";
import type { Verified } from "../../otp/contract";
import type { PhoneChallenge } from "../../otp/phone-challenge";
import { reportCodeVerified } from "../../otp/send-pipeline";
import type { ResetRequest } from "../../otp/state";
import type { Phone } from "../../phone/parse";
import type { AppEnv } from "../../platform/app-env";
import { errorMessage, log } from "../../platform/log";
import { customerRepository } from "../repository";

/**
 * Sets the new password of the customer a right reset code proved, and signs
 * out every session, in one D1 batch. D1 (or the hash) failing gives the
 * code back to the phone's object, so the same code can be tried again.
 */
export async function completeReset(
	c: Context<AppEnv>,
	challenge: DurableObjectStub<PhoneChallenge>,
	verified: Verified<ResetRequest>,
	newPassword: string,
	phone: Phone,
): Promise<number> {
	const { customerId } = verified.subject;
	if (customerId === null) throw new ApiError("OTP_INVALID"); // a decoy's MAC matches no code
	let changed: boolean;
	try {
		const passwordHash = await hashPassword(newPassword, c.get("config").scrypt);
		changed = await customerRepository(c.env.DB).resetPassword(
			customerId,
			phone.e164,
			passwordHash,
			new Date(verified.at),
		);
	} catch (err) {
		await challenge.giveBack("reset", verified.id, verified.generation);
		log("error", "password_reset_failed", { phone: phone.masked, error: errorMessage(err) });
		throw new ApiError("SERVICE_UNAVAILABLE");
	}
	// The account was deleted after the code was sent: nothing is left to reset.
	if (!changed) throw new ApiError("OTP_NOT_FOUND", "No password reset is pending for this phone number");
	await reportCodeVerified(c.env, c.get("config"), verified, "reset", phone, c.get("requestId"));
	emit(c, "password.reset", { customerId });
	return customerId;
}
