/**
 * A rolling-hour SMS count kept in one-minute buckets: at most 60 numbers per
 * scope, whatever the traffic. A bucket counts for the 60 minutes after its
 * own minute, so the window is never longer than an hour and one minute.
 */
export type Buckets = Record<string, number>;

const MINUTE_MS = 60_000;
const WINDOW_MINUTES = 60;

/** Drops buckets that have left the window. */
export function prune(buckets: Buckets, now: number): Buckets {
	const current = Math.floor(now / MINUTE_MS);
	const kept: Buckets = {};
	for (const [minute, count] of Object.entries(buckets)) {
		if (Number(minute) > current - WINDOW_MINUTES) kept[minute] = count;
	}
	return kept;
}

export function total(buckets: Buckets): number {
	return Object.values(buckets).reduce((a, b) => a + b, 0);
}

/**
 * Takes one SMS from a budget of `limit` per rolling hour; when it is spent,
 * says how many seconds until the oldest bucket leaves the window.
 */
export function take(buckets: Buckets, now: number, limit: number): { buckets: Buckets; retryAfter: number | null } {
	const kept = prune(buckets, now);
	if (total(kept) >= limit) {
		const oldest = Math.min(...Object.keys(kept).map(Number));
		const frees = (oldest + WINDOW_MINUTES) * MINUTE_MS;
		return { buckets: kept, retryAfter: Math.max(1, Math.ceil((frees - now) / 1000)) };
	}
	const minute = String(Math.floor(now / MINUTE_MS));
	return { buckets: { ...kept, [minute]: (kept[minute] ?? 0) + 1 }, retryAfter: null };
}

/** Gives back one SMS taken at `at` that never went out. */
export function giveBack(buckets: Buckets, at: number): Buckets {
	const minute = String(Math.floor(at / MINUTE_MS));
	const count = buckets[minute];
	if (!count) return buckets;
	const next = { ...buckets, [minute]: count - 1 };
	if (next[minute] === 0) delete next[minute];
	return next;
}

/** When the last bucket leaves the window: the object can forget everything then. */
export function forgetAt(buckets: Buckets): number {
	const minutes = Object.keys(buckets).map(Number);
	return minutes.length ? (Math.max(...minutes) + WINDOW_MINUTES) * MINUTE_MS : 0;
}
