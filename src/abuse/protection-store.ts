import { and, desc, eq, gte, lt, lte, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { type ProtectedRange, protectedRanges, refusals } from "../db/schema";
import { type BucketSpec, bucketOf } from "../db/time-buckets";
import type { RangeNotice } from "./range-episode";
import type { RefusalCount } from "./refusal-tally";

/** Refusals of one window summed per reason, calling code and observed. */
export type RefusalRow = Omit<RefusalCount, "hour">;

/** Rows per statement: D1 binds at most 100 parameters, and a refusal row takes 5. */
const ROWS_PER_INSERT = 20;

/** What the SMS protection keeps in D1; the only module that writes its tables. */
export function protectionStore(d1: D1Database) {
	const db = drizzle(d1);
	return {
		/** Adds tallied counts to the stored ones, in one batch. */
		addRefusals(counts: RefusalCount[]): Promise<void> {
			return this.write(counts, new Map());
		},

		/**
		 * One batch: tallied counts added to the stored ones, and the ranges whose
		 * episodes the guards reported written to the index (its state, since
		 * when; a safe flag stays as it was).
		 */
		async write(counts: RefusalCount[], notices: ReadonlyMap<string, RangeNotice>): Promise<void> {
			const statements: BatchItem<"sqlite">[] = [];
			for (const [range, n] of notices) {
				const row = { range, state: n.state, since: new Date(n.since), updatedAt: new Date(n.at) };
				statements.push(
					db
						.insert(protectedRanges)
						.values(row)
						.onConflictDoUpdate({
							target: protectedRanges.range,
							set: { state: row.state, since: row.since, updatedAt: row.updatedAt },
						}),
				);
			}
			for (let i = 0; i < counts.length; i += ROWS_PER_INSERT) {
				const rows = counts.slice(i, i + ROWS_PER_INSERT).map((c) => ({ ...c, hour: new Date(c.hour) }));
				statements.push(
					db
						.insert(refusals)
						.values(rows)
						.onConflictDoUpdate({
							target: [refusals.hour, refusals.reason, refusals.callingCode, refusals.observed],
							set: { count: sql`${refusals.count} + excluded.count` },
						}),
				);
			}
			const [first, ...rest] = statements;
			if (first) await db.batch([first, ...rest]);
		},

		/** For each start in `since` (an hour's start), the refusals counted from that hour to `now`. */
		async refusalWindows(since: number[], now: number): Promise<RefusalRow[][]> {
			const queries = since.map((from) =>
				db
					.select({
						reason: refusals.reason,
						callingCode: refusals.callingCode,
						observed: refusals.observed,
						count: sql<number>`sum(${refusals.count})`.mapWith(Number),
					})
					.from(refusals)
					.where(and(gte(refusals.hour, new Date(from)), lte(refusals.hour, new Date(now))))
					.groupBy(refusals.reason, refusals.callingCode, refusals.observed),
			);
			const [first, ...rest] = queries;
			if (!first) return [];
			return (await db.batch([first, ...rest])) as RefusalRow[][];
		},

		/**
		 * Refusal counts of the hours in [from, to) as stored, newest hour first,
		 * then the largest count; at most `limit`. The key's first column is the
		 * hour, so this reads the window's range of the primary key only.
		 */
		async recentRefusals(from: number, to: number, limit: number): Promise<RefusalCount[]> {
			const rows = await db
				.select()
				.from(refusals)
				.where(and(gte(refusals.hour, new Date(from)), lt(refusals.hour, new Date(to))))
				.orderBy(desc(refusals.hour), desc(refusals.count), refusals.reason, refusals.callingCode, refusals.observed)
				.limit(limit);
			return rows.map((r) => ({ ...r, hour: r.hour.getTime() }));
		},

		/**
		 * Refusals (not the observed ones) per bucket of `size` ms starting `offset`
		 * after a multiple of it, over the hours in [from, to). Counts are kept per
		 * hour, so a bucket holds the hours that start in it.
		 */
		async refusalSeries(b: BucketSpec, from: number, to: number) {
			const start = bucketOf(refusals.hour, b);
			return db
				.select({ start, refused: sql<number>`sum(${refusals.count})`.mapWith(Number) })
				.from(refusals)
				.where(and(gte(refusals.hour, new Date(from)), lt(refusals.hour, new Date(to)), eq(refusals.observed, false)))
				.groupBy(start);
		},

		/** The index: ranges reported since `since`, or with a safe list; the latest first, at most `limit`. */
		async ranges(since: number, limit: number): Promise<ProtectedRange[]> {
			return db
				.select()
				.from(protectedRanges)
				.where(or(gte(protectedRanges.updatedAt, new Date(since)), eq(protectedRanges.safe, true)))
				.orderBy(desc(protectedRanges.updatedAt))
				.limit(limit);
		},

		/** An operator cleared the range: its row goes, unless a safe list keeps it (then it says `clear`). */
		async cleared(range: string, now: number): Promise<void> {
			await db.batch([
				db.delete(protectedRanges).where(and(eq(protectedRanges.range, range), eq(protectedRanges.safe, false))),
				db
					.update(protectedRanges)
					.set({ state: "clear", updatedAt: new Date(now) })
					.where(eq(protectedRanges.range, range)),
			]);
		},

		/** Whether the range's guard holds a safe list now; a new row says `clear`. */
		async markSafe(range: string, safe: boolean, now: number): Promise<void> {
			const at = new Date(now);
			await db
				.insert(protectedRanges)
				.values({ range, state: "clear", since: at, updatedAt: at, safe })
				.onConflictDoUpdate({ target: protectedRanges.range, set: { safe } });
		},

		/** Forgets refusals counted in hours that started before `before`, and index rows untouched since then without a safe list. */
		async prune(before: number): Promise<void> {
			const cutoff = new Date(before);
			await db.batch([
				db.delete(refusals).where(lt(refusals.hour, cutoff)),
				db.delete(protectedRanges).where(and(lt(protectedRanges.updatedAt, cutoff), eq(protectedRanges.safe, false))),
			]);
		},
	};
}
