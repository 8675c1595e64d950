import { DurableObject } from "cloudflare:workers";
import type { Phone } from "../phone/parse";
import { credit } from "./counter-rules";
import { admitSend, FRESH, forgetAt, type PrefixPolicy, type PrefixState, recordVerified } from "./prefix-rules";
import {
	countSend,
	countVerified,
	FRESH_RANGE,
	judgeSend,
	type RangePolicy,
	type RangeState,
	type RangeVerdict,
	rangeFigures,
	rangeForgetAt,
} from "./range-rules";

/** The guard of the range `phone` belongs to. */
export const prefixGuardFor = (env: Env, phone: Phone) =>
	env.PREFIX_GUARD.get(env.PREFIX_GUARD.idFromName(phone.range));

/** What the guard says of one send. `counted`: the send was counted (un-count it if it does not go out). */
export type GuardAnswer =
	| { verdict: "ok"; counted: boolean }
	| { verdict: "blocked"; retryAfterMs: number; counted: boolean }
	| (Extract<RangeVerdict, { verdict: "throttled" }> & { counted: boolean });

/** The guard's rules, as the Worker's configuration says: sent with every call, so one place decides them. */
export type GuardPolicy = PrefixPolicy & RangePolicy;

interface Stored {
	prefix: PrefixState;
	range: RangeState;
	/** The policy of the latest call, for the alarm. */
	policy?: GuardPolicy;
}

/**
 * The guard of one number range (`+1876`, `+44707`): one object per range,
 * so it holds everywhere. Two rules: fast feedback on unverified sends per
 * range and per block (range-rules.ts), and the conversion rate of settled
 * sends over a day (prefix-rules.ts). The binding keeps its first name.
 */
export class PrefixGuard extends DurableObject<Env> {
	#state: Stored = { prefix: FRESH, range: FRESH_RANGE };
	/** Milliseconds since the epoch; tests replace it to move time. */
	private clock: () => number = () => Date.now();

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		void ctx.blockConcurrencyWhile(async () => {
			const stored = await ctx.storage.get<Stored | PrefixState>("state");
			// Earlier releases stored the conversion-rate state alone.
			if (stored && "sends" in stored) this.#state = { prefix: stored, range: FRESH_RANGE };
			else if (stored) this.#state = stored;
		});
	}

	/**
	 * Judges one send to `block` and counts it when it may go. `enforce` false
	 * (the guard only observes): the verdict is told, and the send counted, but
	 * nothing is held back. `human`: the caller solved a challenge; more room.
	 */
	async admit(
		block: string,
		p: GuardPolicy,
		options: { human?: boolean; enforce?: boolean } = {},
	): Promise<GuardAnswer> {
		const { enforce = true, human = false } = options;
		const now = this.clock();
		const slow = admitSend(this.#state.prefix, now, p);
		const blocked = slow.blockedFor !== null;
		if (blocked && enforce) return { verdict: "blocked", retryAfterMs: slow.blockedFor ?? 0, counted: false };
		const fast = judgeSend(this.#state.range, block, now, p, human);
		const ok = fast.verdict.verdict === "ok";
		const go = ok || !enforce;
		const range = ok || !go ? fast.state : countSend(fast.state, block, now);
		await this.#save({ prefix: go ? slow.state : this.#state.prefix, range, policy: p });
		if (blocked) return { verdict: "blocked", retryAfterMs: slow.blockedFor ?? 0, counted: go };
		return ok ? { verdict: "ok", counted: true } : { ...fast.verdict, counted: go };
	}

	/** A send counted by admit did not go out (the budget refused it, the provider refused it). */
	async uncount(block: string): Promise<void> {
		const { range } = this.#state;
		const b = range.blocks[block];
		const blocks = b ? { ...range.blocks, [block]: { ...b, sends: credit(b.sends) } } : range.blocks;
		const prefix = { ...this.#state.prefix, sends: credit(this.#state.prefix.sends) };
		await this.#save({ ...this.#state, prefix, range: { ...range, recentSends: credit(range.recentSends), blocks } });
	}

	/** A code sent to `block` was verified: the numbers are real. */
	async verified(block: string, p: GuardPolicy): Promise<void> {
		const now = this.clock();
		await this.#save({
			prefix: recordVerified(this.#state.prefix, now, p),
			range: countVerified(this.#state.range, block, now, p),
			policy: p,
		});
	}

	/** The figures an operator sees: unverified sends and room, and any block. */
	async figures(p: GuardPolicy) {
		const now = this.clock();
		const { blockedUntil } = this.#state.prefix;
		return { ...rangeFigures(this.#state.range, now, p), blockedFor: Math.max(0, blockedUntil - now) };
	}

	override async alarm(): Promise<void> {
		const at = this.#forgetAt(this.#state);
		if (this.clock() >= at) {
			this.#state = { prefix: FRESH, range: FRESH_RANGE };
			await this.ctx.storage.deleteAll();
		} else await this.ctx.storage.setAlarm(at);
	}

	async #save(state: Stored): Promise<void> {
		this.#state = state;
		const at = this.#forgetAt(state);
		// Nothing left that matters (a send counted, then taken back): nothing is kept.
		if (at <= this.clock()) {
			await this.ctx.storage.deleteAll();
			return;
		}
		await this.ctx.storage.put("state", state);
		await this.ctx.storage.setAlarm(at);
	}

	#forgetAt(state: Stored): number {
		const p = state.policy;
		return p ? Math.max(forgetAt(state.prefix, p), rangeForgetAt(state.range, p)) : 0;
	}
}
