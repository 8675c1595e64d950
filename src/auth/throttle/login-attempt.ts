import type { Context } from "hono";
import { clientNetwork } from "../../abuse/client-network";
import { requireHuman } from "../../abuse/require-turnstile";
import type { Config } from "../../config/config";
import { ApiError } from "../../errors/errors";
import type { AppEnv } from "../../platform/app-env";
import type { AccountPolicy } from "./account-rules";
import { DAY_MS } from "./ceiling";

/**
 * The network an account counts a request under when there is no client
 * address outside production (tests, local runs): all such requests are one
 * network, so they lock together.
 */
export const LOCAL_NETWORK = "local";

export interface LoginAttempt {
	/** The password was right: that network of the account starts over, the IP gets its attempt back. */
	succeeded(): Promise<void>;
}

const throttle = (env: Env, key: string) => env.LOGIN_THROTTLE.get(env.LOGIN_THROTTLE.idFromName(key));

/** The account key of a customer. */
export const accountKey = (customerId: number) => `customer:${customerId}`;

/** What an account's object needs of the configuration; Turnstile replaces the ceiling's lock when configured. */
export function accountPolicy(config: Pick<Config, "login" | "turnstile">): AccountPolicy {
	const { login } = config;
	return {
		network: login.account,
		ceiling: {
			maxFailures: login.accountMaxFailuresPerDay,
			windowMs: DAY_MS,
			lockoutMs: config.turnstile ? null : login.accountLockoutMs,
		},
	};
}

/**
 * Counts a password attempt against the IP network, then against `account`
 * from the client's network, before any password is hashed. Throws
 * RATE_LIMITED (with Retry-After) while either is locked; past the account's
 * daily ceiling with Turnstile configured, CAPTCHA_REQUIRED without a token,
 * CAPTCHA_FAILED for one siteverify refuses (503 when it cannot answer), in
 * either mode. A refusal by the IP never
 * reaches the account, and a refusal by the account counts nothing there.
 *
 * `account` is `customer:<id>`, or `unknown:<email or phone>` for an unknown
 * account, so both are throttled alike: same answers, same timing.
 */
export async function beginLoginAttempt(c: Context<AppEnv>, account: string): Promise<LoginAttempt> {
	const config = c.get("config");
	// In production a request without an address counts under the shared key: it never skips the IP limit.
	const ip = clientNetwork(c.req.raw, config.environment === "production");
	const network = ip ?? LOCAL_NETWORK;
	const ipThrottle = ip ? throttle(c.env, `ip:${ip}`) : null;
	if (ipThrottle) {
		const refusal = await ipThrottle.admitIp(config.login.ip);
		if (refusal) throw ApiError.from(refusal);
	}
	const policy = accountPolicy(config);
	const accountThrottle = throttle(c.env, account);
	let admission = await accountThrottle.admitAccount(network, policy, false);
	if (!admission.admitted && "turnstile" in admission && config.turnstile) {
		// Nothing was counted: the object decides again once the token is verified.
		await requireHuman(c, config.turnstile);
		admission = await accountThrottle.admitAccount(network, policy, true);
	}
	if (!admission.admitted) {
		throw "failure" in admission ? ApiError.from(admission.failure) : new ApiError("CAPTCHA_FAILED");
	}
	const { at } = admission;
	return {
		async succeeded() {
			await Promise.all([
				accountThrottle.accountSucceeded(network, at, policy),
				ipThrottle?.ipSucceeded(config.login.ip),
			]);
		},
	};
}

/** Clears an account's failed sign-ins: every network, and the daily ceiling. */
export async function resetLoginThrottle(env: Env, customerId: number): Promise<void> {
	await throttle(env, accountKey(customerId)).reset();
}
