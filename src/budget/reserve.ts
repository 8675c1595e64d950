import type { SmsPolicy } from "../config/config";
import { type Failure, failure } from "../http/errors";
import { log, maskPhone } from "../http/log";
import { numberOrigin } from "../sms/country-policy";

/** What was taken from which budgets, so an SMS that never goes out can give it back. */
export interface Reservation {
	release(): Promise<void>;
}

const budget = (env: Env, scope: string) => env.SMS_BUDGET.get(env.SMS_BUDGET.idFromName(scope));

/**
 * Takes one SMS from the global hourly budget, then from the budget of the
 * number's calling code (a limit of 0 is no limit). A refusal is
 * SMS_BUDGET_EXHAUSTED with Retry-After, logged as an error: it means an
 * attack or a mis-set budget, and someone should look.
 */
export async function reserveSms(env: Env, policy: SmsPolicy, phone: string): Promise<Reservation | Failure> {
	const scopes: [scope: string, limit: number][] = [];
	if (policy.budgetPerHour > 0) scopes.push(["global", policy.budgetPerHour]);
	if (policy.budgetPerCountryPerHour > 0)
		scopes.push([`cc:${numberOrigin(phone).callingCode}`, policy.budgetPerCountryPerHour]);
	const taken: [scope: string, at: number][] = [];
	const release = async () => {
		await Promise.all(taken.map(([scope, at]) => budget(env, scope).giveBack(at)));
	};
	for (const [scope, limit] of scopes) {
		const result = await budget(env, scope).take(limit);
		if ("retryAfter" in result) {
			await release();
			log("error", "sms_budget_exhausted", { scope, limit, phone: maskPhone(phone) });
			return failure("SMS_BUDGET_EXHAUSTED", { retryAfter: result.retryAfter });
		}
		taken.push([scope, result.at]);
	}
	return { release };
}
