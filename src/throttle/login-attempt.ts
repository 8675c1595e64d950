import { ApiError } from "../http/errors";
import type { ThrottleKind } from "./login-throttle";

/** The keys whose failures a sign-in counts against. */
export interface AttemptKeys {
	/** `customer:<id>` for an account; `unknown:<email or phone>` otherwise, so both lock alike. */
	account: string;
	/** Null when the request carries no client address (never the case behind Cloudflare). */
	ip: string | null;
}

export interface LoginAttempt {
	/** The password was right: reset the account, refund the IP. */
	succeeded(): Promise<void>;
}

const throttle = (env: Env, key: string) => env.LOGIN_THROTTLE.get(env.LOGIN_THROTTLE.idFromName(key));

/** The account key of a customer. */
export const accountKey = (customerId: number) => `customer:${customerId}`;

/**
 * Counts a password attempt against the IP, then the account, before any
 * password is hashed. Throws RATE_LIMITED (with Retry-After) when either is
 * locked. A refused IP never touches the account's count.
 */
export async function beginLoginAttempt(env: Env, keys: AttemptKeys): Promise<LoginAttempt> {
	const counted: [key: string, kind: ThrottleKind][] = [];
	if (keys.ip) counted.push([`ip:${keys.ip}`, "ip"]);
	counted.push([keys.account, "account"]);
	for (const [key, kind] of counted) {
		const refusal = await throttle(env, key).admit(kind);
		if (refusal) throw ApiError.from(refusal);
	}
	return {
		async succeeded() {
			await Promise.all(counted.map(([key, kind]) => throttle(env, key).succeeded(kind)));
		},
	};
}

/** Clears an account's failed sign-ins. */
export async function resetLoginThrottle(env: Env, customerId: number): Promise<void> {
	await throttle(env, accountKey(customerId)).reset();
}
