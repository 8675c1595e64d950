import { DurableObject } from "cloudflare:workers";
import type { Phone } from "../phone/parse";
import { credit } from "./counter-rules";
import { admitSend, FRESH, forgetAt, type PrefixPolicy, type PrefixState, recordVerified } from "./prefix-rules";
import { type Episode, episodeForgetAt, type RangeNotice, refusedIn } from "./range-episode";
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
	recentRange,
	type SendOptions,
} from "./range-rules";
import { isSafeIn, withEntry } from "./safe-list";

/** The guard of the range `phone` belongs to. */
export const prefixGuardFor = (env: Env, phone: Phone) => prefixGuardOf(env, phone.range);

/** The guard of `range` (`+1876`), as Phone.range names it. */
export const prefixGuardOf = (env: Env, range: string) => env.PREFIX_GUARD.get(env.PREFIX_GUARD.idFromName(range));

/**
 * What the guard says of one send. `counted`: the send was counted (un-count
 * it if it does not go out). `safe`: the number is on the range's safe list
 * (nothing judged, nothing counted). `notice`: the range should be (re)written
 * to the index of protected ranges.
 */
export type GuardAnswer = (
	| { verdict: "ok"; counted: boolean; safe?: true }
	| { verdict: "blocked"; retryAfterMs: number; counted: boolean }
	| (Extract<RangeVerdict, { verdict: "throttled" }> & { counted: boolean })
) & { notice?: RangeNotice };

/** The guard's rules, as the Worker's configuration says: sent with every call, so one place decides them. */
export type GuardPolicy = PrefixPolicy & RangePolicy;

/**
 * Whether a range refuses now, as an operator sees it: `blocked` (the
 * conversion rate), `throttled` (no room left for anyone, in the range or one
 * of its blocks), `throttled_suspect` (no room left for requests that carry a
 * signal, which get half), `clear`.
 */
export type RangeStatus = "blocked" | "throttled" | "throttled_suspect" | "clear";

/** What the operator sees of a range (GET /api/admin/protection). */
export type GuardFigures = ReturnType<typeof rangeFigures> & {
	state: RangeStatus;
	/** Milliseconds until the conversion-rate block ends; 0 without one. */
	blockedFor: number;
	/** The latest episode of refusals, while the object remembers it. */
	episode: Omit<Episode, "noticedAt"> | null;
	safe: string[];
};

interface Stored {
	prefix: PrefixState;
	range: RangeState;
	/** The policy of the latest call, for the alarm. */
	policy?: GuardPolicy;
	episode?: Episode;
	/** Set by an operator; kept until removed, whatever else the object forgets. */
	safe?: string[];
}

/**
 * The guard of one number range (`+1876`, `+44707`): one object per range,
 * so it holds everywhere. Two rules: fast feedback on unverified sends per
 * range and per block (range-rules.ts), and the conversion rate of settled
 * sends over a day (prefix-rules.ts); and the range's own safe list
 * (safe-list.ts). The binding keeps its first name.
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
	 * Judges one send to `block` (of `number`, when given: a safe-listed one
	 * passes untouched) and counts it when it may go. `enforce` false (the guard
	 * only observes): the verdict is told, and the send counted, but nothing is
	 * held back. `human`: more room; `suspect`: less.
	 */
	async admit(
		block: string,
		p: GuardPolicy,
		options: SendOptions & { enforce?: boolean; number?: string } = {},
	): Promise<GuardAnswer> {
		const { enforce = true, number } = options;
		if (number && isSafeIn(this.#state.safe, number)) return { verdict: "ok", counted: false, safe: true };
		const now = this.clock();
		const slow = admitSend(this.#state.prefix, now, p);
		const blocked = slow.blockedFor !== null;
		if (blocked && enforce) {
			const { episode, notice } = refusedIn(this.#state.episode, "blocked", now, p.fastWindowMs);
			const starts = slow.state.blockedUntil !== this.#state.prefix.blockedUntil;
			this.#state = { ...this.#state, prefix: slow.state, episode, policy: p };
			// A refusal only counts in memory; a block that starts and a notice are kept.
			if (starts || notice) await this.#save(this.#state);
			return { verdict: "blocked", retryAfterMs: slow.blockedFor ?? 0, counted: false, ...(notice && { notice }) };
		}
		const fast = judgeSend(this.#state.range, block, now, p, options);
		const ok = fast.verdict.verdict === "ok";
		const go = ok || !enforce;
		const range = ok || !go ? fast.state : countSend(fast.state, block, now);
		const refused =
			blocked || !ok ? refusedIn(this.#state.episode, blocked ? "blocked" : "throttled", now, p.fastWindowMs) : null;
		const episode = refused?.episode ?? this.#state.episode;
		await this.#save({ ...this.#state, prefix: go ? slow.state : this.#state.prefix, range, episode, policy: p });
		const notice = refused?.notice ? { notice: refused.notice } : {};
		if (blocked) return { verdict: "blocked", retryAfterMs: slow.blockedFor ?? 0, counted: go, ...notice };
		return ok ? { verdict: "ok", counted: true } : { ...fast.verdict, counted: go, ...notice };
	}

	/** Whether `number` is on the range's safe list (asked before a send the Worker would refuse otherwise). */
	async isSafe(number: string): Promise<boolean> {
		return isSafeIn(this.#state.safe, number);
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
			...this.#state,
			prefix: recordVerified(this.#state.prefix, now, p),
			range: countVerified(this.#state.range, block, now, p),
			policy: p,
		});
	}

	/**
	 * An operator's unblock: forgets the range's recent sends, its blocks'
	 * counts and any block, and ends its episode. What proves the range real
	 * (codes verified there) stays.
	 */
	async clear(p: GuardPolicy): Promise<GuardFigures> {
		const now = this.clock();
		const { prefix, range } = this.#state;
		const { episode: _ended, ...kept } = this.#state;
		await this.#save({
			...kept,
			prefix: { ...prefix, sends: {}, blockedUntil: 0 },
			range: { ...FRESH_RANGE, proven: recentRange(range, now, p).proven },
			policy: p,
		});
		return this.figures(p);
	}

	/** Adds `entry` (a prefix inside the range, or a number) to the safe list, or removes it; null when the list is full. */
	async setSafe(entry: string, safe: boolean): Promise<{ changed: boolean; safe: string[] } | null> {
		const next = withEntry(this.#state.safe, entry, safe);
		if (!next) return null;
		if (next.changed) {
			const { safe: _old, ...rest } = this.#state;
			await this.#save(next.list.length ? { ...rest, safe: next.list } : rest);
		}
		return { changed: next.changed, safe: next.list };
	}

	/** The figures an operator sees: unverified sends and room, any block, the latest episode, the safe list. */
	async figures(p: GuardPolicy): Promise<GuardFigures> {
		const now = this.clock();
		const figures = rangeFigures(this.#state.range, now, p);
		const blockedFor = Math.max(0, this.#state.prefix.blockedUntil - now);
		const throttled = figures.unverified >= figures.allowance || figures.throttledBlocks > 0;
		const suspect = figures.unverified > 0 && figures.unverified >= figures.allowance / 2;
		const { episode } = this.#state;
		return {
			...figures,
			state: blockedFor > 0 ? "blocked" : throttled ? "throttled" : suspect ? "throttled_suspect" : "clear",
			blockedFor,
			episode: episode
				? { state: episode.state, since: episode.since, lastAt: episode.lastAt, refusals: episode.refusals }
				: null,
			safe: [...(this.#state.safe ?? [])],
		};
	}

	override async alarm(): Promise<void> {
		const at = this.#forgetAt(this.#state);
		if (this.clock() < at) {
			await this.ctx.storage.setAlarm(at);
			return;
		}
		// Everything decayed; only a safe list outlives it.
		const { safe } = this.#state;
		this.#state = safe ? { prefix: FRESH, range: FRESH_RANGE, safe } : { prefix: FRESH, range: FRESH_RANGE };
		if (safe) await this.ctx.storage.put("state", this.#state);
		else await this.ctx.storage.deleteAll();
	}

	async #save(state: Stored): Promise<void> {
		this.#state = state;
		const at = this.#forgetAt(state);
		const decays = at > this.clock();
		// Nothing left that matters (a send counted, then taken back): nothing is kept.
		if (!decays && !state.safe) {
			await this.ctx.storage.deleteAll();
			return;
		}
		await this.ctx.storage.put("state", state);
		if (decays) await this.ctx.storage.setAlarm(at);
	}

	#forgetAt(state: Stored): number {
		const p = state.policy;
		if (!p) return 0;
		return Math.max(
			forgetAt(state.prefix, p),
			rangeForgetAt(state.range, p),
			episodeForgetAt(state.episode, p.fastWindowMs),
		);
	}
}
