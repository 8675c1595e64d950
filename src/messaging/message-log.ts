import { and, eq, gte, isNotNull, isNull, lt, lte, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Channel } from "../config/config";
import { messageEvents, messages } from "../db/schema";
import { FAILED_STATUSES, statusRank } from "./status";

/** One thing heard about a message: its send (with everything known about it) or a status callback. */
export interface MessageReport {
	id: string;
	channel: Channel;
	purpose?: "register" | "reset";
	challengeId?: string;
	destination: string;
	callingCode: string;
	/** The phone's range (`+1876`); absent when unknown. */
	range?: string;
	status: string;
	errorCode?: number | null;
	at: number;
}

/** Counts for one window, over SMS or over email. */
export interface ChannelCounts {
	callingCode: string;
	channel: Channel;
	sends: number;
	delivered: number;
	failed: number;
	challenges: number;
	verifiedChallenges: number;
}

/** Failed SMS of one calling code with one Twilio error code. */
export interface FailureCount {
	callingCode: string;
	errorCode: number | null;
	count: number;
}

/** The statuses that mean the message never reached the phone, as SQL. */
const IS_FAILED = sql`${messages.status} IN (${sql.join(
	FAILED_STATUSES.map((s) => sql`${s}`),
	sql`, `,
)})`;

/** Message tracking in D1; the only module that writes the messages tables. */
export function messageRepository(d1: D1Database) {
	const db = drizzle(d1);
	return {
		/**
		 * Records a send or a status callback, in either order, any number of
		 * times. The status only moves to a higher rank; the first report of
		 * each status is kept as an event; fields a callback cannot know
		 * (purpose, challenge) are filled in by the send whenever it lands.
		 */
		async record(report: MessageReport): Promise<void> {
			const rank = statusRank(report.status);
			const at = new Date(report.at);
			const errorCode = report.errorCode ?? null;
			const advances = sql`excluded.status_rank > ${messages.statusRank}`;
			await db.batch([
				db
					.insert(messages)
					.values({
						id: report.id,
						channel: report.channel,
						purpose: report.purpose,
						challengeId: report.challengeId,
						destination: report.destination,
						callingCode: report.callingCode,
						range: report.range,
						status: report.status,
						statusRank: rank,
						errorCode,
						createdAt: at,
						updatedAt: at,
					})
					.onConflictDoUpdate({
						target: messages.id,
						set: {
							purpose: sql`coalesce(${messages.purpose}, excluded.purpose)`,
							challengeId: sql`coalesce(${messages.challengeId}, excluded.challenge_id)`,
							range: sql`coalesce(${messages.range}, excluded.range)`,
							status: sql`CASE WHEN ${advances} THEN excluded.status ELSE ${messages.status} END`,
							statusRank: sql`max(${messages.statusRank}, excluded.status_rank)`,
							// The code belongs to the status that reported it: a report that loses leaves it alone.
							errorCode: sql`CASE WHEN ${advances} THEN excluded.error_code WHEN excluded.status = ${messages.status} THEN coalesce(${messages.errorCode}, excluded.error_code) ELSE ${messages.errorCode} END`,
							createdAt: sql`min(${messages.createdAt}, excluded.created_at)`,
							updatedAt: sql`max(${messages.updatedAt}, excluded.updated_at)`,
						},
					}),
				db
					.insert(messageEvents)
					.values({ messageId: report.id, status: report.status, errorCode, at })
					.onConflictDoNothing(),
			]);
		},

		/** Marks every message of a challenge as having led to a verified code. */
		async markVerified(challengeId: string, at: number): Promise<void> {
			await db
				.update(messages)
				.set({ verifiedAt: new Date(at) })
				.where(and(eq(messages.challengeId, challengeId), isNull(messages.verifiedAt)));
		},

		/** A message and its status history, oldest first. */
		async find(id: string) {
			const [message, events] = await db.batch([
				db.select().from(messages).where(eq(messages.id, id)),
				db.select().from(messageEvents).where(eq(messageEvents.messageId, id)).orderBy(messageEvents.at),
			]);
			return message[0] ? { ...message[0], events } : undefined;
		},

		/**
		 * For each window from `since[i]` until `until` (ms), in one round trip:
		 * counts per channel and calling code, and failed SMS per Twilio error
		 * code (null: Twilio gave none). Rows only a callback created (no
		 * purpose: not a send of this service) are left out.
		 */
		async windows(since: number[], until: number): Promise<{ counts: ChannelCounts[]; failures: FailureCount[] }[]> {
			const inWindow = (from: number) =>
				and(
					gte(messages.createdAt, new Date(from)),
					lte(messages.createdAt, new Date(until)),
					isNotNull(messages.purpose),
				);
			const queries = since.flatMap((from) => [
				db
					.select({
						channel: messages.channel,
						callingCode: messages.callingCode,
						sends: sql<number>`count(*)`,
						delivered: sql<number>`coalesce(sum(${messages.status} IN ('delivered', 'read')), 0)`,
						failed: sql<number>`coalesce(sum(${IS_FAILED}), 0)`,
						challenges: sql<number>`count(DISTINCT ${messages.challengeId})`,
						verifiedChallenges: sql<number>`count(DISTINCT CASE WHEN ${messages.verifiedAt} IS NOT NULL THEN ${messages.challengeId} END)`,
					})
					.from(messages)
					.where(inWindow(from))
					.groupBy(messages.channel, messages.callingCode),
				db
					.select({ callingCode: messages.callingCode, errorCode: messages.errorCode, count: sql<number>`count(*)` })
					.from(messages)
					.where(and(inWindow(from), eq(messages.channel, "sms"), IS_FAILED))
					.groupBy(messages.callingCode, messages.errorCode),
			]);
			const rows = (await db.batch(queries as [(typeof queries)[0], ...typeof queries])) as unknown[][];
			return since.map((_, i) => ({
				counts: rows[2 * i] as ChannelCounts[],
				failures: rows[2 * i + 1] as FailureCount[],
			}));
		},

		/** Forgets messages created before `before` (ms), with their events. */
		async prune(before: number): Promise<void> {
			await db.delete(messages).where(lt(messages.createdAt, new Date(before)));
		},
	};
}
