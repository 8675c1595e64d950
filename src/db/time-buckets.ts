import { type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/** Time buckets aligned on UTC: `size` ms long, starting `offset` ms after a multiple of `size`. */
export interface BucketSpec {
	size: number;
	offset: number;
}

/**
 * The start (ms since the epoch) of the bucket that a timestamp column's
 * value falls in. Size and offset are written as integer literals: D1 binds
 * a JS number as REAL, and the division must be an integer one.
 */
export function bucketOf(column: SQLiteColumn, b: BucketSpec): SQL<number> {
	const size = sql.raw(String(Math.trunc(b.size)));
	const offset = sql.raw(String(Math.trunc(b.offset)));
	return sql<number>`((${column} - ${offset}) / ${size}) * ${size} + ${offset}`.mapWith(Number);
}
