import { and, eq, gt, isNull, lte, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { type AnySQLiteColumn, SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { type Customer, customers, type NewSession, type RevokeReason, type Session, sessions } from "../db/schema";

/** Session persistence in D1; the only module that writes the sessions table. */
export function sessionRepository(d1: D1Database) {
	const db = drizzle(d1);
	const live = (now: Date) => and(isNull(sessions.revokedAt), gt(sessions.expiresAt, now));
	return {
		/**
		 * Stores a new session only while the customer exists and (if given)
		 * still has the password hash that was checked, and drops the customer's
		 * expired sessions in the same batch. The condition is the race gate
		 * against a password reset or an account deletion committed after the
		 * password was checked: such a login gets no session. False when it got none.
		 */
		async create(session: NewSession, passwordHash: string | null, now: Date): Promise<boolean> {
			const s = session;
			const prune = db
				.delete(sessions)
				.where(and(eq(sessions.customerId, s.customerId), lte(sessions.expiresAt, now)))
				.toSQL();
			// Drizzle has no conditional INSERT … SELECT of values; the statement is
			// still built from the schema's table and column objects.
			const values: [AnySQLiteColumn, unknown][] = [
				[sessions.id, s.id],
				[sessions.customerId, s.customerId],
				[sessions.tokenHash, s.tokenHash],
				[sessions.createdAt, ms(s.createdAt)],
				[sessions.expiresAt, ms(s.expiresAt)],
				[sessions.lastUsedAt, ms(s.lastUsedAt)],
				[sessions.userAgent, s.userAgent ?? null],
				[sessions.ipSummary, s.ipSummary ?? null],
			];
			const insert = dialect.sqlToQuery(sql`INSERT INTO ${sessions}
				(${sql.join(
					values.map(([column]) => sql.identifier(column.name)),
					sql`, `,
				)})
				SELECT ${sql.join(
					values.map(([, value]) => sql`${value}`),
					sql`, `,
				)}
				WHERE EXISTS (SELECT 1 FROM ${customers} WHERE ${customers.id} = ${s.customerId}
					AND (${passwordHash} IS NULL OR ${customers.passwordHash} = ${passwordHash}))`);
			const [, inserted] = await d1.batch([
				d1.prepare(prune.sql).bind(...prune.params),
				d1.prepare(insert.sql).bind(...insert.params),
			]);
			return (inserted?.meta.changes ?? 0) > 0;
		},

		/**
		 * Swaps the current refresh token for the next one, only if `presented`
		 * is still current and the session is live and has not reached its end
		 * (`created_at + maxAgeMs`, in whole seconds like a JWT's `exp`). This
		 * single conditional UPDATE is the race gate: of two refreshes with one
		 * token, one wins. The new expiry is `expiresAt` capped at that end;
		 * returned for the new token, or null when nothing was swapped.
		 */
		async rotate(
			id: string,
			customerId: number,
			presented: string,
			next: string,
			now: Date,
			expiresAt: Date,
			maxAgeMs: number,
		): Promise<Date | null> {
			const end = sql`CAST((${sessions.createdAt} + ${maxAgeMs}) / 1000 AS INTEGER) * 1000`;
			const rows = await db
				.update(sessions)
				.set({ tokenHash: next, lastUsedAt: now, expiresAt: sql`MIN(${ms(expiresAt)}, ${end})` })
				.where(
					and(
						eq(sessions.id, id),
						eq(sessions.customerId, customerId),
						eq(sessions.tokenHash, presented),
						live(now),
						gt(end, ms(now)),
					),
				)
				.returning({ expiresAt: sessions.expiresAt });
			return rows[0]?.expiresAt ?? null;
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

		/** Revokes a session; true only for the call that did it (it was not revoked before). */
		async revoke(id: string, reason: RevokeReason, now: Date): Promise<boolean> {
			const rows = await db
				.update(sessions)
				.set({ revokedAt: now, revokedReason: reason })
				.where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
				.returning({ id: sessions.id });
			return rows.length > 0;
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

const ms = (d: Date) => d.getTime();
const dialect = new SQLiteAsyncDialect();
