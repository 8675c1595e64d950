import { env } from "cloudflare:workers";
import { setClock, storedChallenge } from "./objects";
import { pendingRegistration, registrationIdOf, resendOtp } from "./registration";

/**
 * The email fallback of resend-otp (`channel: "email"`), as its tests drive it:
 * a new code for the pending registration, sent through Resend (the fake at
 * resend.test) to the address the registration was started with.
 */

/** A well-formed registrationId no registration has. */
export const NOBODYS_ID = "A".repeat(22);

/** A registration pending since `at` (on its object's clock), its address, and the SMS code it got. */
export async function pendingWithEmail(area: string, at: number, overrides: Record<string, unknown> = {}) {
	const { phone, code } = await pendingRegistration(area, at, overrides);
	const email = (overrides.email as string | undefined) ?? `${phone.slice(1)}@example.com`;
	return { phone, email, smsCode: code };
}

/** The otp-status query of the registration send-otp last answered for `phone`. */
export const statusQuery = (phone: string) =>
	new URLSearchParams({ phone, registrationId: registrationIdOf(phone) as string }).toString();

/** resend-otp by email at `at` on the phone's clock. */
export async function emailAt(phone: string, at: number): Promise<Response> {
	await setClock(phone, at);
	return resendOtp(phone, "email");
}

/** The customer registered with `phone`, and when their phone and their email were verified. */
export async function verificationsOf(phone: string) {
	return env.DB.prepare("SELECT id, email, phone_verified_at, email_verified_at FROM customers WHERE phone = ?")
		.bind(phone)
		.first<{ id: number; email: string; phone_verified_at: number | null; email_verified_at: number | null }>();
}

/** The `delivery` column of the stored registration: challenge id, channel, provider id and status. */
export async function storedDelivery(phone: string) {
	const row = await storedChallenge(phone);
	return JSON.parse(String(row?.delivery)) as {
		challengeId: string;
		channel: string;
		messageId: string | null;
		deliveryStatus: string | null;
	};
}
