import type { Config } from "../../config/config";
import { consoleSender } from "./console";
import { twilioSender } from "./twilio";

/** The outcome of one SMS; never throws for a delivery problem. */
export type SendOutcome =
	/** `status`: the provider's first status for the message (`queued`, `accepted`, ...). */
	| { ok: true; id: string; status: string }
	/** `invalid_number`: the provider says this phone cannot receive SMS. */
	| { ok: false; reason: "invalid_number" | "failed"; providerCode?: number; httpStatus?: number };

export interface SmsSender {
	/** `statusCallback`: where the provider should report the message's delivery. */
	send(to: string, body: string, statusCallback?: string): Promise<SendOutcome>;
}

/** Twilio when configured; the console sender exists only outside production (see config). */
export function createSender(config: Config): SmsSender {
	return config.sms.kind === "twilio" ? twilioSender(config.sms.twilio) : consoleSender();
}

/** The text of a verification SMS; a reset code says what it unlocks and what to do if unasked. */
export function otpMessage(
	appName: string,
	code: string,
	ttlMs: number,
	purpose: "register" | "reset" = "register",
): string {
	const expiry = expiryPhrase(ttlMs);
	if (purpose === "reset")
		return `Your ${appName} password reset code is ${code}. It expires in ${expiry}. If you did not ask for it, ignore this message.`;
	return `Your ${appName} verification code is ${code}. It expires in ${expiry}.`;
}

/** `5 minutes`; never overstated: whole minutes when the TTL is whole minutes, seconds otherwise. */
export function expiryPhrase(ttlMs: number): string {
	const minutes = ttlMs / 60_000;
	return Number.isInteger(minutes)
		? `${minutes} minute${minutes === 1 ? "" : "s"}`
		: `${Math.floor(ttlMs / 1000)} seconds`;
}
