import { DurableObject } from "cloudflare:workers";
import { getConfig } from "../config/config";
import type { Phone } from "../phone/parse";
import { admitSend, FRESH, forgetAt, type PrefixPolicy, type PrefixState, recordVerified } from "./prefix-rules";

/** The guard of the range `phone` belongs to. */
export const prefixGuardFor = (env: Env, phone: Phone) =>
	env.PREFIX_GUARD.get(env.PREFIX_GUARD.idFromName(phone.range));

/** The conversion-rate guard of one number prefix (`+44707`): one object per prefix, so it holds everywhere. */
export class PrefixGuard extends DurableObject<Env> {
	#state: PrefixState = FRESH;
	#rules: PrefixPolicy | undefined;
	/** Milliseconds since the epoch; tests replace it to move time. */
	private clock: () => number = () => Date.now();

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		void ctx.blockConcurrencyWhile(async () => {
			this.#state = (await ctx.storage.get<PrefixState>("state")) ?? FRESH;
		});
	}

	/** Counts a send, or says for how many ms the prefix is blocked. */
	async admit(): Promise<{ blockedFor: number | null }> {
		const { state, blockedFor } = admitSend(this.#state, this.clock(), this.#policy);
		await this.#save(state);
		return { blockedFor };
	}

	/** A code sent to this prefix was verified: the numbers are real. */
	async verified(): Promise<void> {
		await this.#save(recordVerified(this.#state, this.clock(), this.#policy));
	}

	override async alarm(): Promise<void> {
		if (this.clock() >= forgetAt(this.#state, this.#policy)) {
			this.#state = FRESH;
			await this.ctx.storage.deleteAll();
		} else await this.ctx.storage.setAlarm(forgetAt(this.#state, this.#policy));
	}

	async #save(state: PrefixState): Promise<void> {
		if (state === this.#state && state === FRESH) return;
		this.#state = state;
		await this.ctx.storage.put("state", state);
		await this.ctx.storage.setAlarm(forgetAt(state, this.#policy));
	}

	/** The slice of the configuration this object reads, parsed once per object. */
	get #policy(): PrefixPolicy {
		if (!this.#rules) {
			const { prefixGuard, otp } = getConfig(this.env);
			this.#rules = { ...prefixGuard, settleMs: otp.ttlMs };
		}
		return this.#rules;
	}
}
