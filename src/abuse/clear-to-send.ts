import type { Config } from "../config/config";
import { type Failure, failure } from "../errors/errors";
import type { Phone } from "../phone/parse";
import { errorMessage, log } from "../platform/log";
import { creditSms, type QuotaReservation, type Reservation, reserveSms } from "./budget";
import { captchaRequired, challengeNeeded } from "./challenge-needed";
import { type GuardPolicy, prefixGuardFor } from "./prefix-guard";
import { noteProtectedRange, refusal } from "./refusals";
import type { Origin } from "./signals";
import { weighSignals } from "./weigh-signals";

/** Who a send is for, as far as the layers below care. */
export interface Sender {
	/** Known-good traffic (a reset of a registered customer): it may draw on the budgets' reserve. */
	knownGood?: boolean;
	/** The caller solved a challenge: a throttled range gives it more room. */
	human?: boolean;
	/**
	 * The request is suspect: under SMS_PROTECTION=standard, clearToSend sets it
	 * when the signals (signals.ts: a country mismatch, a busy network or
	 * autonomous system) say so, and a caller that knows better may set it
	 * too. The range guard gives a suspect request half the room. Where a
	 * challenge can be asked for (Turnstile in pressure mode), a suspect request
	 * without `human` is the one to ask.
	 */
	suspect?: boolean;
	/** Where the request came from (request.cf, the client's /48): what the signals read. None: no signals. */
	origin?: Origin;
}

/**
 * Whether an SMS to `phone` may go out past the layers that bound what SMS
 * cost: the signals (weigh-signals.ts), the range guard (fast feedback on
 * unverified sends, then the conversion rate), then the hourly budgets.
 * Asked once the phone's own rules passed, so a request refused earlier
 * never pays for a counter. What a refusal took is given back; the reservation given
 * back when the send does not go out after all. A number in SMS_SAFE_RANGES
 * skips the guard, one on its range's own safe list passes it uncounted;
 * either draws on the reserve. A budget object that fails answers
 * SERVICE_UNAVAILABLE; a guard that fails is passed (the budgets still bound the cost).
 *
 * With Turnstile in mode pressure, a send that looks risky answers
 * CAPTCHA_REQUIRED unless the request proved a human: a suspect request, a
 * throttled range, a budget past SMS_CHALLENGE_AT_PERCENT. Known-good
 * traffic is never asked (a reset's SMS goes out after its answer).
 */
export async function clearToSend(
	env: Env,
	config: Config,
	phone: Phone,
	sender: Sender = {},
): Promise<Reservation | Failure> {
	const listed = isSafe(config.protection.safeRanges, phone);
	// Known-good and safe-listed traffic carries no signal worth reading.
	const weighed =
		sender.origin && !sender.knownGood && !listed ? await weighSignals(env, config, phone, sender.origin) : null;
	if (weighed && "ok" in weighed) return weighed;
	const suspect = sender.suspect || weighed?.suspect;
	const ask = !sender.knownGood && !listed && challengeNeeded(config, sender);
	if (ask && suspect) {
		await weighed?.release();
		return challenge("suspect", phone);
	}
	const guard =
		config.prefixGuard.enabled && !listed ? await judgeRange(env, config, phone, { ...sender, suspect }, ask) : null;
	if (guard && "ok" in guard) {
		await weighed?.release();
		return guard;
	}
	const safe = listed || guard?.safe === true;
	// A number on its range's safe list does not count against its network either.
	if (guard?.safe) await weighed?.release();
	const signals = guard?.safe ? null : weighed;
	let budget: QuotaReservation | Failure;
	try {
		budget = await reserveSms(env, config, phone, sender.knownGood || safe);
	} catch (err) {
		log("error", "sms_budget_unavailable", { phone: phone.masked, error: errorMessage(err) });
		budget = failure("SERVICE_UNAVAILABLE");
	}
	if ("ok" in budget) {
		await Promise.all([guard?.release(), signals?.release()]);
		return budget;
	}
	const taken = budget;
	const all = {
		release: async () => void (await Promise.all([taken.release(), guard?.release(), signals?.release()])),
	};
	if (ask && !safe && taken.used >= config.protection.challengeAt) {
		await all.release();
		return challenge("budget", phone);
	}
	return all;
}

/** CAPTCHA_REQUIRED, logged and counted with what asked for it. */
function challenge(pressure: "suspect" | "range" | "block" | "budget", phone: Phone): Failure {
	refusal("challenge", { pressure, range: phone.range, callingCode: phone.callingCode, phone: phone.masked });
	return captchaRequired();
}

/** A code was verified: the range's guard hears of it, and the budgets get the SMS back. Never fails. */
export async function codeVerified(env: Env, config: Config, phone: Phone): Promise<void> {
	if (config.smsPolicy.testNumbers.has(phone.e164)) return;
	const warn = (err: unknown) => log("warn", "sms_guard_unavailable", { error: errorMessage(err) });
	await Promise.all([
		config.prefixGuard.enabled
			? prefixGuardFor(env, phone).verified(phone.block, guardPolicy(config)).catch(warn)
			: null,
		creditSms(env, config.smsPolicy, phone).catch(warn),
	]);
}

/** What a range's guard is told of the configuration. */
export const guardPolicy = (config: Config): GuardPolicy => ({
	...config.prefixGuard,
	...config.rangeGuard,
	settleMs: config.otp.ttlMs,
});

/** Whether `phone` is in SMS_SAFE_RANGES (a prefix, or the whole number). */
export const isSafe = (ranges: readonly string[], phone: Phone) => ranges.some((r) => phone.e164.startsWith(r));

/**
 * The range guard's verdict: a refusal, or what to give back if the send does
 * not go out. Under SMS_PROTECTION=observe nothing is refused: what would
 * have been is logged as `sms_would_refuse` and counted as observed.
 */
async function judgeRange(
	env: Env,
	config: Config,
	phone: Phone,
	sender: Sender,
	ask: boolean,
): Promise<(Reservation & { safe?: boolean }) | Failure> {
	const enforce = config.protection.level !== "observe";
	const guard = prefixGuardFor(env, phone);
	const given = { release: () => guard.uncount(phone.block) };
	const nothing = { release: async () => {} };
	try {
		const options = { human: sender.human, suspect: sender.suspect, enforce, number: phone.e164 };
		const answer = await guard.admit(phone.block, guardPolicy(config), options);
		if (answer.notice) noteProtectedRange(phone.range, answer.notice);
		if (answer.verdict === "ok" && answer.safe) return { ...nothing, safe: true };
		const kept = answer.counted ? given : nothing;
		if (answer.verdict === "ok") return kept;
		const retryAfter = Math.max(1, Math.ceil(answer.retryAfterMs / 1000));
		const reason = answer.verdict === "blocked" ? "range_blocked" : (`${answer.scope}_throttled` as const);
		// The range, never the block: with the masked number, a block would spell the whole number.
		const fields = { range: phone.range, callingCode: phone.callingCode, phone: phone.masked, retryAfter };
		if (!enforce) {
			refusal(reason, fields, { observed: true });
			return kept;
		}
		// A throttled range asks for a human first (Turnstile, mode pressure): one who proves it gets more room.
		if (ask && answer.verdict === "throttled") return challenge(answer.scope, phone);
		refusal(reason, fields, { level: answer.verdict === "blocked" ? "error" : "warn" });
		return answer.verdict === "blocked"
			? failure("SMS_PREFIX_BLOCKED", { retryAfter })
			: failure("SMS_RANGE_THROTTLED", { retryAfter });
	} catch (err) {
		log("warn", "sms_guard_unavailable", { error: errorMessage(err) });
		return nothing;
	}
}
