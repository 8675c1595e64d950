import type { Config } from "../config/config";
import { type Failure, failure } from "../errors/errors";
import type { Phone } from "../phone/parse";
import { errorMessage, log } from "../platform/log";
import { type Reservation, reserveSms } from "./budget";
import { prefixGuardFor } from "./prefix-guard";

/**
 * Whether an SMS to `phone` may go out past the layers that bound what SMS
 * cost: the hourly budgets, then the conversion-rate guard of its range.
 * Asked once the phone's own rules passed. A refusal takes nothing from any
 * budget; a counter object that fails answers SERVICE_UNAVAILABLE.
 */
export async function clearToSend(env: Env, config: Config, phone: Phone): Promise<Reservation | Failure> {
	let reservation: Reservation | Failure;
	try {
		reservation = await reserveSms(env, config.smsPolicy, phone);
	} catch (err) {
		log("error", "sms_budget_unavailable", { phone: phone.masked, error: errorMessage(err) });
		return failure("SERVICE_UNAVAILABLE");
	}
	if ("ok" in reservation) return reservation;
	// After the budget, so a budget refusal never counts as an unverified send to the range.
	const blocked = await prefixBlocked(env, config, phone);
	if (!blocked) return reservation;
	await reservation.release();
	return blocked;
}

/** Tells the range's guard a code was verified: the numbers are real. Never fails the verification. */
export async function codeVerified(env: Env, config: Config, phone: Phone): Promise<void> {
	if (!config.prefixGuard.enabled || config.smsPolicy.testNumbers.has(phone.e164)) return;
	await prefixGuardFor(env, phone)
		.verified()
		.catch((err: unknown) => log("warn", "sms_prefix_guard_unavailable", { error: errorMessage(err) }));
}

/** SMS_PREFIX_BLOCKED when the number's range is being pumped; otherwise the send is counted there. */
async function prefixBlocked(env: Env, config: Config, phone: Phone): Promise<Failure | null> {
	if (!config.prefixGuard.enabled) return null;
	try {
		const { blockedFor } = await prefixGuardFor(env, phone).admit();
		if (blockedFor === null) return null;
		log("error", "sms_prefix_blocked", { prefix: phone.range, phone: phone.masked });
		return failure("SMS_PREFIX_BLOCKED", { retryAfter: Math.max(1, Math.ceil(blockedFor / 1000)) });
	} catch (err) {
		// The guard is a heuristic on top of the budgets: if it cannot answer, the budgets still bound the cost.
		log("warn", "sms_prefix_guard_unavailable", { error: errorMessage(err) });
		return null;
	}
}
