import { and, gte, lt, lte, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { refusals } from "../db/schema";
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
		async addRefusals(counts: RefusalCount[]): Promise<void> {
			const statements: BatchItem<"sqlite">[] = [];
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

		/** Forgets refusals counted in hours that started before `before`. */
		async prune(before: number): Promise<void> {
			await db.delete(refusals).where(lt(refusals.hour, new Date(before)));
		},
	};
}
