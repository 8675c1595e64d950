import type { Context } from "hono";
import { ApiError } from "../../errors/errors";
import type { Verified } from "../../otp/contract";
import type { PhoneChallenge } from "../../otp/phone-challenge";
import { reportCodeVerified } from "../../otp/send-pipeline";
import type { Registration } from "../../otp/state";
import type { Phone } from "../../phone/parse";
import type { AppEnv } from "../../platform/app-env";
import { errorMessage, log } from "../../platform/log";
import { customerRepository } from "../repository";

/**
 * Turns a verified registration into a customer. A code sent by email proves
 * the email, not the phone. The email or phone taken meanwhile answers
 * CUSTOMER_EXISTS (the code stays used); D1 failing gives the code back to
 * the phone's object, so the same code can be tried again.
 */
export async function createCustomer(
	c: Context<AppEnv>,
	challenge: DurableObjectStub<PhoneChallenge>,
	verified: Verified<Registration>,
	phone: Phone,
): Promise<number> {
	const { subject: registration, at } = verified;
	const customers = customerRepository(c.env.DB);
	let id: number | null;
	let taken: "email" | "phone" | null = null;
	try {
		const when = new Date(at);
		const byEmail = verified.channel === "email";
		id = await customers.insert({
			...registration,
			phoneVerifiedAt: byEmail ? null : when,
			emailVerifiedAt: byEmail ? when : null,
			createdAt: when,
		});
		if (id === null) taken = await customers.findTaken(registration.email, phone.e164);
	} catch (err) {
		await challenge.giveBack("register", verified.id, verified.generation);
		log("error", "customer_insert_failed", { phone: phone.masked, error: errorMessage(err) });
		throw new ApiError("SERVICE_UNAVAILABLE");
	}
	if (id === null) throw new ApiError("CUSTOMER_EXISTS", undefined, { field: taken ?? undefined });
	await reportCodeVerified(c.env, c.get("config"), verified, "register", phone, c.get("requestId"));
	return id;
}
