import type { Config, SmsPolicy } from "../config/config";
import { type Failure, failure } from "../errors/errors";
import type { Phone } from "../phone/parse";
import { HOUR_MS } from "./counter-rules";
import { refusal } from "./refusals";

/** What was taken from which counters, so something that did not happen can give it back. */
export interface Reservation {
	release(): Promise<void>;
}

/** A reservation of quotas; `used`: how full the fullest of them now is, 0–1 (of its full limit). */
export interface QuotaReservation extends Reservation {
	used: number;
}

/** One counter to take from: its scope (the object's name), its limit and window. */
export interface Quota {
	scope: string;
	limit: number;
	windowMs: number;
	/** What `used` is a share of; `limit` when unset (a reserve makes the limit smaller than the budget). */
	of?: number;
}

const counter = (env: Env, scope: string) => env.COUNTERS.get(env.COUNTERS.idFromName(scope));

/**
 * Takes one from each quota in turn (a limit of 0 is no limit). On the first
 * refusal it gives back what it took and answers which quota refused and when
 * to retry, so a refused request never counts against the others.
 */
export async function takeQuotas(
	env: Env,
	quotas: Quota[],
): Promise<QuotaReservation | { refused: Quota; retryAfter: number }> {
	const taken: [scope: string, at: number][] = [];
	let used = 0;
	const release = async () => {
		await Promise.all(taken.map(([scope, at]) => counter(env, scope).giveBack(at)));
	};
	for (const quota of quotas) {
		if (quota.limit <= 0) continue;
		const result = await counter(env, quota.scope).take(quota.limit, quota.windowMs);
		if ("retryAfter" in result) {
			await release();
			return { refused: quota, retryAfter: result.retryAfter };
		}
		taken.push([quota.scope, result.at]);
		used = Math.max(used, result.used / (quota.of ?? quota.limit));
	}
	return { release, used };
}

/**
 * Takes one SMS from the global hourly budget, then from the budget of the
 * number's calling code. A refusal is SMS_BUDGET_EXHAUSTED with Retry-After,
 * logged as an error: it means an attack or a mis-set budget, and someone
 * should look.
 */
export async function reserveSms(
	env: Env,
	config: Pick<Config, "smsPolicy" | "protection">,
	phone: Phone,
	knownGood = false,
): Promise<QuotaReservation | Failure> {
	const { smsPolicy: policy, protection } = config;
	// The reserve: everything but known-good traffic stops short of the full budget.
	const share = (limit: number) =>
		knownGood || limit === 0 ? limit : Math.max(1, Math.floor(limit * (1 - protection.budgetReserve)));
	const result = await takeQuotas(env, [
		{ scope: "global", limit: share(policy.budgetPerHour), windowMs: HOUR_MS, of: policy.budgetPerHour },
		{
			scope: `cc:${phone.callingCode}`,
			limit: share(policy.budgetPerCountryPerHour),
			windowMs: HOUR_MS,
			of: policy.budgetPerCountryPerHour,
		},
	]);
	if ("release" in result) return result;
	const { scope, limit } = result.refused;
	const fields = { scope, limit, knownGood, callingCode: phone.callingCode, phone: phone.masked };
	refusal("budget", fields, { level: "error", event: "sms_budget_exhausted" });
	return failure("SMS_BUDGET_EXHAUSTED", { retryAfter: result.retryAfter });
}

/**
 * A code was verified: its SMS reached a real person, so it no longer counts
 * against the budgets. They bound what unverified SMS cost in an hour, which
 * is what pumping is; organic traffic, which verifies, never spends them.
 */
export async function creditSms(env: Env, policy: SmsPolicy, phone: Phone): Promise<void> {
	const scopes = [
		policy.budgetPerHour ? "global" : null,
		policy.budgetPerCountryPerHour ? `cc:${phone.callingCode}` : null,
	];
	await Promise.all(scopes.map((scope) => (scope ? counter(env, scope).credit() : null)));
}
