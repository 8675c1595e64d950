import { DurableObject } from "cloudflare:workers";
import { type Buckets, forgetAt, giveBack, prune, take } from "./rules";

/**
 * The SMS budget of one scope (`global`, or `cc:<calling code>`): the circuit
 * breaker that bounds what an SMS-pumping attack can cost, whatever its size.
 * One object per scope, so the count holds across every location.
 */
export class SmsBudget extends DurableObject<Env> {
	#buckets: Buckets = {};
	/** Milliseconds since the epoch; tests replace it to move time. */
	private clock: () => number = () => Date.now();

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		void ctx.blockConcurrencyWhile(async () => {
			this.#buckets = (await ctx.storage.get<Buckets>("buckets")) ?? {};
		});
	}

	/** Takes one SMS from `limit` per rolling hour: when it was taken, or the seconds to wait. */
	async take(limit: number): Promise<{ at: number } | { retryAfter: number }> {
		const now = this.clock();
		const { buckets, retryAfter } = take(this.#buckets, now, limit);
		await this.#save(buckets);
		return retryAfter === null ? { at: now } : { retryAfter };
	}

	/** Gives back an SMS taken at `at` that was never sent. */
	async giveBack(at: number): Promise<void> {
		await this.#save(giveBack(this.#buckets, at));
	}

	/** Forgets the buckets that left the window; deletes everything once none is left. */
	override async alarm(): Promise<void> {
		await this.#save(prune(this.#buckets, this.clock()));
	}

	async #save(buckets: Buckets): Promise<void> {
		this.#buckets = buckets;
		if (Object.keys(buckets).length === 0) {
			await this.ctx.storage.deleteAll();
			return;
		}
		await this.ctx.storage.put("buckets", buckets);
		await this.ctx.storage.setAlarm(forgetAt(buckets));
	}
}
