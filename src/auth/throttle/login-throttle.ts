import { DurableObject } from "cloudflare:workers";
import type { ThrottlePolicy } from "../../config/config";
import type { Failure } from "../../errors/errors";
import {
	type AccountPolicy,
	type AccountState,
	accountAtTime,
	accountForgetAt,
	accountSucceeded,
	admitToAccount,
	NOTHING,
} from "./account-rules";
import { admit, atTime, CLEAR, forgetAt, refund, type ThrottleState } from "./rules";

/**
 * What one object keeps, with the policy it was last given so the alarm
 * forgets by the same rules. A shape without `policy` (written before
 * accounts were counted per network) is not read back: it is forgotten.
 */
type Stored =
	| { kind: "ip"; policy: ThrottlePolicy; state: ThrottleState }
	| { kind: "account"; policy: AccountPolicy; account: AccountState };

/** The answer to an account attempt; `at` identifies the admitted attempt to `accountSucceeded`. */
export type Admission =
	| { admitted: true; at: number }
	| { admitted: false; failure: Failure }
	| { admitted: false; turnstile: true };

/**
 * Failed sign-ins for one key, wherever in the world they come from: an IP
 * network (`ip:<network>`), or an account (`customer:<id>`, `unknown:<email
 * or phone>`) with its per-network counts and daily ceiling. One object per
 * key, so every decision is serialized: each method decides and commits with
 * storage awaits only. Storage is one KV entry, deleted once there is nothing
 * left to remember. Callers pass the policy; the object holds no config.
 */
export class LoginThrottle extends DurableObject<Env> {
	#stored: Stored | null = null;
	/** Whether storage holds anything (a forgotten shape included), so forgetting nothing costs nothing. */
	#kept = false;
	/** Milliseconds since the epoch; tests replace it to move time. */
	private clock: () => number = () => Date.now();

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		void ctx.blockConcurrencyWhile(async () => {
			const stored = await ctx.storage.get<Stored>("throttle");
			this.#stored = stored && "policy" in stored ? stored : null;
			this.#kept = stored !== undefined;
		});
	}

	/** An IP network: counts an attempt, or refuses it with RATE_LIMITED while locked. */
	async admitIp(policy: ThrottlePolicy): Promise<Failure | null> {
		const now = this.clock();
		const { state, refusal } = admit(this.#ip(now, policy), now, policy);
		if (!refusal) await this.#saveIp(state, policy);
		return refusal;
	}

	/** An IP network's admitted attempt succeeded: it gets that attempt back, and loses its lock. */
	async ipSucceeded(policy: ThrottlePolicy): Promise<void> {
		await this.#saveIp(refund(this.#ip(this.clock(), policy)), policy);
	}

	/** An account: counts an attempt from `network`, or says why not (then nothing is counted). */
	async admitAccount(network: string, policy: AccountPolicy, humanProven: boolean): Promise<Admission> {
		const now = this.clock();
		const verdict = admitToAccount(this.#account(), network, now, policy, humanProven);
		if (!verdict.admitted) return verdict;
		await this.#saveAccount(verdict.state, policy);
		return { admitted: true, at: now };
	}

	/** An account's attempt admitted at `at` from `network` succeeded: that network starts over. */
	async accountSucceeded(network: string, at: number, policy: AccountPolicy): Promise<void> {
		await this.#saveAccount(accountSucceeded(this.#account(), network, at, this.clock(), policy), policy);
	}

	/** Forgets every failure, of every network (a password reset proved control of the phone). */
	async reset(): Promise<void> {
		await this.#forget();
	}

	/** Deletes what the windows have let go; reschedules while a lock or a window runs. */
	override async alarm(): Promise<void> {
		const stored = this.#stored;
		const now = this.clock();
		if (!stored) await this.#forget();
		else if (stored.kind === "ip") await this.#saveIp(atTime(stored.state, now, stored.policy), stored.policy);
		else await this.#saveAccount(accountAtTime(stored.account, now, stored.policy), stored.policy);
	}

	#ip(now: number, policy: ThrottlePolicy): ThrottleState {
		return this.#stored?.kind === "ip" ? atTime(this.#stored.state, now, policy) : CLEAR;
	}

	#account(): AccountState {
		return this.#stored?.kind === "account" ? this.#stored.account : NOTHING;
	}

	async #saveIp(state: ThrottleState, policy: ThrottlePolicy): Promise<void> {
		if (state === CLEAR) return this.#forget();
		await this.#put({ kind: "ip", policy, state }, forgetAt(state, policy));
	}

	async #saveAccount(account: AccountState, policy: AccountPolicy): Promise<void> {
		if (account === NOTHING) return this.#forget();
		await this.#put({ kind: "account", policy, account }, accountForgetAt(account, policy));
	}

	async #put(stored: Stored, forgetAt: number): Promise<void> {
		this.#stored = stored;
		this.#kept = true;
		await this.ctx.storage.put("throttle", stored);
		await this.ctx.storage.setAlarm(forgetAt);
	}

	async #forget(): Promise<void> {
		this.#stored = null;
		if (!this.#kept) return;
		this.#kept = false;
		await this.ctx.storage.deleteAll();
	}
}
