import type { Config } from "../config/config";
import { type Failure, failure } from "../errors/errors";
import type { Phone } from "../phone/parse";
import { errorMessage, log } from "../platform/log";
import type { Reservation } from "./budget";
import { prefixGuardFor } from "./prefix-guard";
import { refusal } from "./refusals";
import { type Origin, readSignals } from "./signals";

/** What the signals of a send made of it: whether it is suspect, and what to give back if it does not go out. */
export interface Weighed extends Reservation {
	suspect: boolean;
}

const NONE: Weighed = { suspect: false, release: async () => {} };

/**
 * What the signals of a send (signals.ts) do, by SMS_PROTECTION level:
 * `observe` logs them (`sms_signal`) and nothing else; `standard` logs them
 * and makes the request suspect (half the room in the range guard); `strict`
 * refuses it, with COUNTRY_MISMATCH (403) for a country mismatch and
 * RATE_LIMITED (429, Retry-After) for a busy network or system, unless the
 * number is on its range's safe list. A counter that fails reads as no signal
 * (logged), never as a refusal: the range guard and the budgets still bound the cost.
 */
export async function weighSignals(env: Env, config: Config, phone: Phone, origin: Origin): Promise<Weighed | Failure> {
	const { level, signals: policy } = config.protection;
	let reading: Awaited<ReturnType<typeof readSignals>>;
	try {
		reading = await readSignals(env, policy, phone, origin);
	} catch (err) {
		log("warn", "sms_signals_unavailable", { error: errorMessage(err) });
		return NONE;
	}
	const { signals } = reading;
	if (signals.length === 0) return { suspect: false, release: reading.release };
	// Never the network: it is the client's address.
	const fields = {
		signals,
		callingCode: phone.callingCode,
		phone: phone.masked,
		country: origin.country,
		asn: origin.asn,
	};
	if (level !== "strict" || (await onSafeList(env, config, phone))) {
		log("warn", "sms_signal", { ...fields, protection: level });
		return { suspect: level === "standard", release: reading.release };
	}
	await reading.release();
	if (signals.includes("country_mismatch")) {
		refusal("country_mismatch", fields);
		return failure("COUNTRY_MISMATCH", { field: "phone" });
	}
	const retryAfter = Math.max(1, reading.retryAfter);
	refusal(signals.includes("network_sends") ? "network_sends" : "asn_sends", { ...fields, retryAfter });
	return failure("RATE_LIMITED", {
		message: "Too many codes were sent from your network this hour; try again later",
		retryAfter,
	});
}

/** Whether the number is on its range's own safe list: asked only before a strict refusal. */
async function onSafeList(env: Env, config: Config, phone: Phone): Promise<boolean> {
	if (!config.prefixGuard.enabled) return false;
	return prefixGuardFor(env, phone)
		.isSafe(phone.e164)
		.catch(() => false);
}
