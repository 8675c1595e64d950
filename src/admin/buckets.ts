const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The console's time buckets, on UTC: hours, days, and weeks that start on
 * Monday (the epoch was a Thursday: Mondays fall 4 days after a multiple of
 * 7 days). `max` bounds how far back one request reads.
 */
export const BUCKETS = {
	hour: { size: HOUR_MS, offset: 0, fallback: 24, max: 168 },
	day: { size: DAY_MS, offset: 0, fallback: 30, max: 90 },
	week: { size: 7 * DAY_MS, offset: 4 * DAY_MS, fallback: 12, max: 52 },
} as const;

export type BucketName = keyof typeof BUCKETS;

/** The start of the bucket that holds `t`. */
export function bucketStart(t: number, name: BucketName): number {
	const { size, offset } = BUCKETS[name];
	return Math.floor((t - offset) / size) * size + offset;
}

/**
 * The `count` buckets that end with the one holding `now`: [from, to), and
 * the start of each, oldest first.
 *
 * @example
 * bucketRange(Date.UTC(2031, 2, 10, 12, 30), "hour", 2).starts; // 11:00 and 12:00
 */
export function bucketRange(now: number, name: BucketName, count: number) {
	const { size } = BUCKETS[name];
	const to = bucketStart(now, name) + size;
	const from = to - count * size;
	return { from, to, starts: Array.from({ length: count }, (_, i) => from + i * size) };
}

/** Rates as the stats answer them: four decimals, null without a whole. */
export function rate(part: number, whole: number): number | null {
	return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}
