import type { Config } from "../config/config";
import { consoleSender } from "./console";
import { twilioSender } from "./twilio";

/** The outcome of one SMS; never throws for a delivery problem. */
export type SendOutcome =
	| { ok: true; id: string }
	/** `invalid_number`: the provider says this phone cannot receive SMS. */
	| { ok: false; reason: "invalid_number" | "failed"; providerCode?: number; httpStatus?: number };

export interface SmsSender {
	send(to: string, body: string): Promise<SendOutcome>;
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
	// Never overstate: whole minutes when the TTL is whole minutes, seconds otherwise.
	const minutes = ttlMs / 60_000;
	const expiry = Number.isInteger(minutes)
		? `${minutes} minute${minutes === 1 ? "" : "s"}`
		: `${Math.floor(ttlMs / 1000)} seconds`;
	if (purpose === "reset")
		return `Your ${appName} password reset code is ${code}. It expires in ${expiry}. If you did not ask for it, ignore this message.`;
	return `Your ${appName} verification code is ${code}. It expires in ${expiry}.`;
}
