import { and, eq, gte, isNotNull, lt, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { messages } from "../db/schema";
import { type BucketSpec, bucketOf } from "../db/time-buckets";
import { FAILED_STATUSES } from "./status";

/** SMS sent in one bucket (by send time) and how they ended. */
export interface SendBucket {
	start: number;
	sends: number;
	delivered: number;
	failed: number;
}

/** Challenges whose code was verified in one bucket (by verification time). */
export interface VerifiedBucket {
	start: number;
	verified: number;
}

/** SMS counts of one calling code or one range over a window. */
export interface GroupCounts {
	key: string;
	sends: number;
	delivered: number;
	failed: number;
	challenges: number;
	verifiedChallenges: number;
}

const IS_FAILED = sql`${messages.status} IN (${sql.join(
	FAILED_STATUSES.map((s) => sql`${s}`),
	sql`, `,
)})`;

/** SMS of this service (a send recorded it: it has a purpose) created in [from, to). */
const smsCreatedIn = (from: number, to: number) =>
	and(
		eq(messages.channel, "sms"),
		isNotNull(messages.purpose),
		gte(messages.createdAt, new Date(from)),
		lt(messages.createdAt, new Date(to)),
	);

/**
 * The console's reads of the messages table. Every query is bounded by a
 * window on an indexed time column (`created_at` or `verified_at`).
 */
export function messageCharts(d1: D1Database) {
	const db = drizzle(d1);
	return {
		/**
		 * Per bucket of [from, to): SMS sent and how they ended, and challenges
		 * verified (a challenge counts once, in the bucket of its verification).
		 * Buckets without a row are absent.
		 */
		async series(b: BucketSpec, from: number, to: number) {
			const sentBucket = bucketOf(messages.createdAt, b);
			const verifiedBucket = bucketOf(messages.verifiedAt, b);
			const [sends, verified] = await db.batch([
				db
					.select({
						start: sentBucket,
						sends: sql<number>`count(*)`.mapWith(Number),
						delivered: sql<number>`coalesce(sum(${messages.status} IN ('delivered', 'read')), 0)`.mapWith(Number),
						failed: sql<number>`coalesce(sum(${IS_FAILED}), 0)`.mapWith(Number),
					})
					.from(messages)
					.where(smsCreatedIn(from, to))
					.groupBy(sentBucket),
				db
					.select({
						start: verifiedBucket,
						verified: sql<number>`count(DISTINCT ${messages.challengeId})`.mapWith(Number),
					})
					.from(messages)
					.where(
						and(
							eq(messages.channel, "sms"),
							gte(messages.verifiedAt, new Date(from)),
							lt(messages.verifiedAt, new Date(to)),
						),
					)
					.groupBy(verifiedBucket),
			]);
			return { sends: sends as SendBucket[], verified: verified as VerifiedBucket[] };
		},

		/**
		 * SMS created in [from, to) per calling code or per range, the most sent
		 * first, at most `limit`; rows without a range (older than the column)
		 * are left out of the ranges.
		 */
		async groups(by: "country" | "range", from: number, to: number, limit: number): Promise<GroupCounts[]> {
			const key = by === "country" ? messages.callingCode : messages.range;
			return db
				.select({
					key: sql<string>`${key}`,
					sends: sql<number>`count(*)`.mapWith(Number),
					delivered: sql<number>`coalesce(sum(${messages.status} IN ('delivered', 'read')), 0)`.mapWith(Number),
					failed: sql<number>`coalesce(sum(${IS_FAILED}), 0)`.mapWith(Number),
					challenges: sql<number>`count(DISTINCT ${messages.challengeId})`.mapWith(Number),
					verifiedChallenges:
						sql<number>`count(DISTINCT CASE WHEN ${messages.verifiedAt} IS NOT NULL THEN ${messages.challengeId} END)`.mapWith(
							Number,
						),
				})
				.from(messages)
				.where(and(smsCreatedIn(from, to), isNotNull(key)))
				.groupBy(key)
				.orderBy(sql`count(*) DESC`, key)
				.limit(limit);
		},
	};
}
