import { and, eq, gt, isNull, lte } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { type Customer, customers, type NewSession, type RevokeReason, type Session, sessions } from "../db/schema";

/** Session persistence in D1; the only module that writes the sessions table. */
export function sessionRepository(d1: D1Database) {
	const db = drizzle(d1);
	const live = (now: Date) => and(isNull(sessions.revokedAt), gt(sessions.expiresAt, now));
	return {
		/** Stores a new session and, in the same batch, drops the customer's expired ones. */
		async create(session: NewSession, now: Date): Promise<void> {
			await db.batch([
				db.delete(sessions).where(and(eq(sessions.customerId, session.customerId), lte(sessions.expiresAt, now))),
				db.insert(sessions).values(session),
			]);
		},

		/**
		 * Swaps the current refresh token for the next one, only if `presented`
		 * is still current and the session is live. This single conditional
		 * UPDATE is the race gate: of two refreshes with one token, one wins.
		 */
		async rotate(
			id: string,
			customerId: number,
			presented: string,
			next: string,
			now: Date,
			expiresAt: Date,
		): Promise<boolean> {
			const rows = await db
				.update(sessions)
				.set({ tokenHash: next, lastUsedAt: now, expiresAt })
				.where(
					and(eq(sessions.id, id), eq(sessions.customerId, customerId), eq(sessions.tokenHash, presented), live(now)),
				)
				.returning({ id: sessions.id });
			return rows.length > 0;
		},

		async find(id: string): Promise<Session | undefined> {
			return db.select().from(sessions).where(eq(sessions.id, id)).get();
		},

		/** The customer behind a live session, or undefined (revoked, expired, deleted). */
		async liveCustomer(id: string, customerId: number, now: Date): Promise<Customer | undefined> {
			const row = await db
				.select({ customer: customers })
				.from(sessions)
				.innerJoin(customers, eq(customers.id, sessions.customerId))
				.where(and(eq(sessions.id, id), eq(sessions.customerId, customerId), live(now)))
				.get();
			return row?.customer;
		},

		async revoke(id: string, reason: RevokeReason, now: Date): Promise<void> {
			await db
				.update(sessions)
				.set({ revokedAt: now, revokedReason: reason })
				.where(and(eq(sessions.id, id), isNull(sessions.revokedAt)));
		},

		/** Revokes every live session of a customer; returns how many. */
		async revokeAll(customerId: number, reason: RevokeReason, now: Date): Promise<number> {
			const rows = await db
				.update(sessions)
				.set({ revokedAt: now, revokedReason: reason })
				.where(and(eq(sessions.customerId, customerId), live(now)))
				.returning({ id: sessions.id });
			return rows.length;
		},
	};
}
