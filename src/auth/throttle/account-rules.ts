import type { ThrottlePolicy } from "../../config/config";
import type { Failure } from "../../errors/errors";
import {
	admitPastCeiling,
	type CeilingPolicy,
	type CeilingState,
	ceilingAtTime,
	ceilingForgetAt,
	ceilingSucceeded,
	countPastCeiling,
	NO_FAILURES,
} from "./ceiling";
import { admit, atTime, CLEAR, forgetAt, type ThrottleState } from "./rules";

/**
 * The failed sign-ins of one account (`customer:<id>`, or `unknown:<email or
 * phone>` so unknown accounts answer alike). Every counter here that a
 * stranger can fill is keyed to the stranger: consecutive failures lock one
 * client network for this account, never the account for everyone; only the
 * daily ceiling spans networks, and it asks for Turnstile (or locks for a
 * bounded time) rather than growing.
 */
export interface AccountState {
	/** Consecutive failures per client network, each counted by the rules of `rules.ts`. */
	networks: Record<string, ThrottleState>;
	ceiling: CeilingState;
	/**
	 * Networks the account signed in from lately (network → last success):
	 * the ceiling never refuses them. Absent in states stored before it.
	 */
	trusted?: Record<string, number>;
}

export interface AccountPolicy {
	/** Per (account, client network): LOGIN_MAX_FAILURES, then the lock-outs of LOGIN_LOCKOUT_SECONDS. */
	network: ThrottlePolicy;
	ceiling: CeilingPolicy;
}

/** Networks remembered per account; past it the least recently seen is forgotten. */
export const MAX_NETWORKS = 100;

/** How long a network stays trusted after a successful sign-in from it, and how many are kept. */
export const TRUST_MS = 30 * 86_400_000;
export const MAX_TRUSTED = 10;

export const NOTHING: AccountState = { networks: {}, ceiling: NO_FAILURES };

export type AccountVerdict =
	| { admitted: true; state: AccountState }
	| { admitted: false; failure: Failure }
	| { admitted: false; turnstile: true };

/**
 * Admits an attempt from `network` (counting it as a failure at the network
 * and under the ceiling) or refuses it, counting nothing anywhere. The
 * network's lock is checked first, then the ceiling.
 *
 * Forgetting the least recently seen network past {@link MAX_NETWORKS} only
 * ever frees a network (the owner's included); what a stranger gains by
 * cycling through more networks than that is bounded by the ceiling.
 */
export function admitToAccount(
	s: AccountState,
	network: string,
	now: number,
	p: AccountPolicy,
	humanProven: boolean,
): AccountVerdict {
	const current = accountAtTime(s, now, p);
	const counted = admit(current.networks[network] ?? CLEAR, now, p.network);
	if (counted.refusal) return { admitted: false, failure: counted.refusal };
	const ceiling = current.trusted?.[network]
		? { admitted: true as const, state: countPastCeiling(current.ceiling, now, p.ceiling) }
		: admitPastCeiling(current.ceiling, now, p.ceiling, humanProven);
	if (!ceiling.admitted) return ceiling;
	const networks = { ...newest(current.networks, network), [network]: counted.state };
	return { admitted: true, state: withTrusted({ networks, ceiling: ceiling.state }, current.trusted) };
}

/**
 * The attempt admitted from `network` at `admittedAt` succeeded: that
 * network starts over, the ceiling forgets that one attempt. Other networks
 * keep their counts and locks.
 */
export function accountSucceeded(
	s: AccountState,
	network: string,
	admittedAt: number,
	now: number,
	p: AccountPolicy,
): AccountState {
	const { [network]: _, ...others } = s.networks;
	const ceiling = ceilingSucceeded(s.ceiling, admittedAt, p.ceiling);
	const trusted = Object.entries({ ...s.trusted, [network]: now })
		.sort(([, a], [, b]) => b - a)
		.slice(0, MAX_TRUSTED);
	return accountAtTime({ networks: others, ceiling, trusted: Object.fromEntries(trusted) }, now, p);
}

/** The state at `now`: networks whose window has passed and ceiling buckets that left the day dropped. */
export function accountAtTime(s: AccountState, now: number, p: AccountPolicy): AccountState {
	const networks: Record<string, ThrottleState> = {};
	for (const [key, state] of Object.entries(s.networks)) {
		const kept = atTime(state, now, p.network);
		if (kept !== CLEAR) networks[key] = kept;
	}
	const ceiling = ceilingAtTime(s.ceiling, now, p.ceiling);
	const trusted = Object.entries(s.trusted ?? {}).filter(([, at]) => now < at + TRUST_MS);
	if (Object.keys(networks).length === 0 && ceiling === NO_FAILURES && trusted.length === 0) return NOTHING;
	return withTrusted({ networks, ceiling }, trusted.length ? Object.fromEntries(trusted) : undefined);
}

/** When everything the account holds can be forgotten. */
export function accountForgetAt(s: AccountState, p: AccountPolicy): number {
	const networks = Object.values(s.networks).map((state) => forgetAt(state, p.network));
	const trusted = Object.values(s.trusted ?? {}).map((at) => at + TRUST_MS);
	return Math.max(ceilingForgetAt(s.ceiling, p.ceiling), ...networks, ...trusted);
}

/** The other networks, at most {@link MAX_NETWORKS} - 1 of them, the most recently seen, so `network` fits. */
function newest(networks: Record<string, ThrottleState>, network: string): Record<string, ThrottleState> {
	const others = Object.entries(networks).filter(([key]) => key !== network);
	if (others.length < MAX_NETWORKS) return networks;
	others.sort(([, a], [, b]) => b.lastAttemptAt - a.lastAttemptAt);
	return Object.fromEntries(others.slice(0, MAX_NETWORKS - 1));
}

function withTrusted(s: Omit<AccountState, "trusted">, trusted: Record<string, number> | undefined): AccountState {
	return trusted ? { ...s, trusted } : s;
}
