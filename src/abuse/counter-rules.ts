/**
 * A rolling-window count kept in 60 buckets of 1/60 of the window each (one
 * minute for an hour, 24 minutes for a day): bounded storage per scope,
 * whatever the traffic. A bucket counts for one window after its own start,
 * so the window is never longer than it says plus one bucket.
 */
export type Buckets = Record<string, number>;

export const HOUR_MS = 3_600_000;
const BUCKETS_PER_WINDOW = 60;

const width = (windowMs: number) => windowMs / BUCKETS_PER_WINDOW;

/** Drops buckets that have left the window. */
export function prune(buckets: Buckets, now: number, windowMs = HOUR_MS): Buckets {
	const current = Math.floor(now / width(windowMs));
	const kept: Buckets = {};
	for (const [bucket, count] of Object.entries(buckets)) {
		if (Number(bucket) > current - BUCKETS_PER_WINDOW) kept[bucket] = count;
	}
	return kept;
}

export function total(buckets: Buckets): number {
	return Object.values(buckets).reduce((a, b) => a + b, 0);
}

/**
 * Takes one from a budget of `limit` per rolling window; when it is spent,
 * says how many seconds until the oldest bucket leaves the window.
 */
export function take(
	buckets: Buckets,
	now: number,
	limit: number,
	windowMs = HOUR_MS,
): { buckets: Buckets; retryAfter: number | null } {
	const kept = prune(buckets, now, windowMs);
	if (total(kept) >= limit) {
		const oldest = Math.min(...Object.keys(kept).map(Number));
		const frees = (oldest + BUCKETS_PER_WINDOW) * width(windowMs);
		return { buckets: kept, retryAfter: Math.max(1, Math.ceil((frees - now) / 1000)) };
	}
	return { buckets: add(kept, now, windowMs), retryAfter: null };
}

/** Counts one at `now`, whatever the total: for callers that decide on the limit themselves. */
export function add(buckets: Buckets, now: number, windowMs = HOUR_MS): Buckets {
	const bucket = String(Math.floor(now / width(windowMs)));
	return { ...buckets, [bucket]: (buckets[bucket] ?? 0) + 1 };
}

/** Gives back one taken at `at` that was not used. */
export function giveBack(buckets: Buckets, at: number, windowMs = HOUR_MS): Buckets {
	const bucket = String(Math.floor(at / width(windowMs)));
	const count = buckets[bucket];
	if (!count) return buckets;
	const next = { ...buckets, [bucket]: count - 1 };
	if (next[bucket] === 0) delete next[bucket];
	return next;
}

/** Takes back one from the latest bucket that holds any. */
export function credit(buckets: Buckets): Buckets {
	const latest = Object.keys(buckets)
		.filter((b) => (buckets[b] ?? 0) > 0)
		.sort((a, b) => Number(b) - Number(a))[0];
	if (latest === undefined) return buckets;
	const next: Buckets = { ...buckets, [latest]: (buckets[latest] as number) - 1 };
	if (next[latest] === 0) delete next[latest];
	return next;
}

/** When the last bucket leaves the window: the object can forget everything then. */
export function forgetAt(buckets: Buckets, windowMs = HOUR_MS): number {
	const starts = Object.keys(buckets).map(Number);
	return starts.length ? (Math.max(...starts) + BUCKETS_PER_WINDOW) * width(windowMs) : 0;
}
