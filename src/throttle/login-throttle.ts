import { DurableObject } from "cloudflare:workers";
import { getConfig, type ThrottlePolicy } from "../config/config";
import type { Failure } from "../http/errors";
import { admit, atTime, CLEAR, forgetAt, refund, type ThrottleState } from "./rules";

/** Which policy applies: an account's or an IP address's. */
export type ThrottleKind = "account" | "ip";

type Stored = { kind: ThrottleKind; state: ThrottleState };

/**
 * Failed sign-ins for one account or one IP address, wherever in the world
 * they come from: one object per key, so every decision is serialized.
 * Storage is one KV entry, deleted once there is nothing left to remember.
 */
export class LoginThrottle extends DurableObject<Env> {
	#stored: Stored | null = null;
	/** Milliseconds since the epoch; tests replace it to move time. */
	private clock: () => number = () => Date.now();

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		void ctx.blockConcurrencyWhile(async () => {
			this.#stored = (await ctx.storage.get<Stored>("throttle")) ?? null;
		});
	}

	/** Counts an attempt, or refuses it with RATE_LIMITED while the key is locked. */
	async admit(kind: ThrottleKind): Promise<Failure | null> {
		const now = this.clock();
		const policy = this.#policy(kind);
		const { state, refusal } = admit(this.#current(now, policy), now, policy);
		if (!refusal) await this.#save(kind, state, policy);
		return refusal;
	}

	/** The admitted attempt succeeded: an account starts over, an IP gets the attempt back. */
	async succeeded(kind: ThrottleKind): Promise<void> {
		const policy = this.#policy(kind);
		const state = this.#current(this.clock(), policy);
		await this.#save(kind, kind === "account" ? CLEAR : refund(state), policy);
	}

	/** Forgets every failure (a password reset proved control of the phone). */
	async reset(): Promise<void> {
		await this.#save("account", CLEAR, this.#policy("account"));
	}

	/** Deletes what the window has let go; reschedules while a lock or the window runs. */
	override async alarm(): Promise<void> {
		if (!this.#stored) return;
		const { kind } = this.#stored;
		const policy = this.#policy(kind);
		await this.#save(kind, this.#current(this.clock(), policy), policy);
	}

	#current(now: number, policy: ThrottlePolicy): ThrottleState {
		return this.#stored ? atTime(this.#stored.state, now, policy) : CLEAR;
	}

	async #save(kind: ThrottleKind, state: ThrottleState, policy: ThrottlePolicy): Promise<void> {
		if (state === CLEAR) {
			if (this.#stored) await this.ctx.storage.deleteAll();
			this.#stored = null;
			return;
		}
		this.#stored = { kind, state };
		await this.ctx.storage.put("throttle", this.#stored);
		await this.ctx.storage.setAlarm(forgetAt(state, policy));
	}

	#policy(kind: ThrottleKind): ThrottlePolicy {
		return getConfig(this.env).login[kind];
	}
}
