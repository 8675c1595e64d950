import { DurableObject } from "cloudflare:workers";
import { type Buckets, credit, forgetAt, giveBack, HOUR_MS, prune, take, total } from "./counter-rules";

/**
 * One rolling-window counter: the SMS budget of a scope (`global`, or
 * `cc:<calling code>`), the circuit breaker that bounds what an SMS-pumping
 * attack can cost, and the hourly and daily send quotas of a client address
 * (`ip-hour:<ip>`, `ip-day:<ip>`). One object per scope, so a count holds
 * across every location. An object always uses the window it was first given.
 */
export class RollingCounter extends DurableObject<Env> {
	#buckets: Buckets = {};
	#windowMs = HOUR_MS;
	/** The alarm as last set by this instance; 0 when none. */
	#alarmAt = 0;
	/** Milliseconds since the epoch; tests replace it to move time. */
	private clock: () => number = () => Date.now();

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		void ctx.blockConcurrencyWhile(async () => {
			this.#buckets = (await ctx.storage.get<Buckets>("buckets")) ?? {};
			this.#windowMs = (await ctx.storage.get<number>("window")) ?? HOUR_MS;
		});
	}

	/** Takes one from `limit` per rolling `windowMs`: when, and how many are now taken; or the seconds to wait. */
	async take(limit: number, windowMs = HOUR_MS): Promise<{ at: number; used: number } | { retryAfter: number }> {
		if (Object.keys(this.#buckets).length === 0 && windowMs !== this.#windowMs) {
			this.#windowMs = windowMs;
			if (windowMs === HOUR_MS) await this.ctx.storage.delete("window");
			else await this.ctx.storage.put("window", windowMs);
		}
		const now = this.clock();
		const { buckets, retryAfter } = take(this.#buckets, now, limit, this.#windowMs);
		await this.#save(buckets);
		return retryAfter === null ? { at: now, used: total(buckets) } : { retryAfter };
	}

	/** Gives back one taken at `at` that was not used. */
	async giveBack(at: number): Promise<void> {
		await this.#save(giveBack(this.#buckets, at, this.#windowMs));
	}

	/** Takes back the latest one still in the window, whenever it was taken (a verified SMS). */
	async credit(): Promise<void> {
		await this.#save(credit(prune(this.#buckets, this.clock(), this.#windowMs)));
	}

	/** Forgets the buckets that left the window; deletes everything once none is left. */
	override async alarm(): Promise<void> {
		// The alarm that woke us is spent: the next save sets a new one.
		this.#alarmAt = 0;
		await this.#save(prune(this.#buckets, this.clock(), this.#windowMs));
	}

	async #save(buckets: Buckets): Promise<void> {
		this.#buckets = buckets;
		if (Object.keys(buckets).length === 0) {
			await this.ctx.storage.deleteAll();
			this.#windowMs = HOUR_MS;
			this.#alarmAt = 0;
			return;
		}
		await this.ctx.storage.put("buckets", buckets);
		// The alarm moves only when the newest bucket does: at most once a bucket, not once a call.
		const at = forgetAt(buckets, this.#windowMs);
		if (at !== this.#alarmAt) {
			this.#alarmAt = at;
			await this.ctx.storage.setAlarm(at);
		}
	}
}
