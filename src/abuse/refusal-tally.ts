/** What one refused send is counted under. */
export interface RefusalKey {
	reason: string;
	/** Without `+`; `unknown` when the refusal came before the number was read. */
	callingCode: string;
	/** Only observed (SMS_PROTECTION=observe): it would have been refused. */
	observed: boolean;
}

/** A count of refusals under one key in one hour. */
export interface RefusalCount extends RefusalKey {
	/** The start of the hour, ms since the epoch. */
	hour: number;
	count: number;
}

export interface RefusalTallyOptions {
	/**
	 * How old the oldest count may grow before the tally is due for writing.
	 * @default 10000
	 */
	maxAgeMs?: number;
	/**
	 * How many distinct keys make the tally due whatever its age.
	 * @default 100
	 */
	maxKeys?: number;
}

const HOUR_MS = 3_600_000;
/** Counts kept back after failed writes, at most: a D1 outage must not grow the isolate's memory. */
const KEEP_AT_MOST = 1000;

/**
 * Refusals counted in memory, per hour × reason × calling code, until they are
 * written in one batch (refusals.ts). Plain data and arithmetic: a refusal
 * costs a map update, never a round trip.
 */
export class RefusalTally {
	#counts = new Map<string, RefusalCount>();
	#oldest: number | null = null;
	readonly #maxAgeMs: number;
	readonly #maxKeys: number;

	constructor({ maxAgeMs = 10_000, maxKeys = 100 }: RefusalTallyOptions = {}) {
		this.#maxAgeMs = maxAgeMs;
		this.#maxKeys = maxKeys;
	}

	/** Distinct keys held. */
	get size(): number {
		return this.#counts.size;
	}

	/** Counts `count` refusals under `key` at `now`. */
	add(key: RefusalKey, now: number, count = 1): void {
		const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
		const id = `${hour}|${key.reason}|${key.callingCode}|${key.observed ? 1 : 0}`;
		const held = this.#counts.get(id);
		if (held) held.count += count;
		else if (this.#counts.size < KEEP_AT_MOST) this.#counts.set(id, { ...key, hour, count });
		this.#oldest ??= now;
	}

	/** Whether the counts should be written now: old enough, or many. */
	due(now: number): boolean {
		if (this.#oldest === null) return false;
		return now - this.#oldest >= this.#maxAgeMs || this.#counts.size >= this.#maxKeys;
	}

	/** Every count held, leaving the tally empty. */
	drain(): RefusalCount[] {
		const counts = [...this.#counts.values()];
		this.#counts = new Map();
		this.#oldest = null;
		return counts;
	}

	/** Puts back counts a failed write drained: they go with the next batch, due `maxAgeMs` after `now`. */
	restore(counts: RefusalCount[], now: number): void {
		for (const c of counts) this.add(c, c.hour, c.count);
		if (this.#counts.size > 0) this.#oldest = now;
	}
}
