import { nextChannel } from "../abuse/channel-policy";
import type { Channel, Config } from "../config/config";
import { type Phone, parsePhone } from "../phone/parse";
import { errorMessage, log } from "../platform/log";
import { type Ledger, sendShareRefusal } from "./caps";
import type { Caller, Issued } from "./contract";
import { triedChannels } from "./fallback";
import { deliverIssued, type SendReporter } from "./send-pipeline";
import type { ChallengeState, Registration } from "./state";

/** A fallback code the phone's object committed, for the send pipeline. */
export interface FallbackSend {
	issued: Issued;
	phone: Phone;
	caller: Caller;
}

/**
 * The channel `s` falls back to at `now`: the next one for its number (see
 * nextChannel), if its starter's network may have another code sent (its
 * shares and the phone's caps count the fallback). Null: the fallback is given up.
 */
export function fallbackChoice(
	s: ChallengeState<Registration>,
	ledger: Ledger,
	config: Config,
	now: number,
): { channel: Channel; phone: Phone } | null {
	const phone = parsePhone(s.subject?.phone ?? "");
	const channel = phone && nextChannel(triedChannels(s), phone, config);
	if (!phone || !channel || sendShareRefusal(ledger, s.network, now, config.otp)) return null;
	return { channel, phone };
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
