import { and, eq, isNull, or } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { type Customer, customers, type NewCustomer, sessions } from "../db/schema";

/** Customer persistence in D1; the only module that writes the customers table. */
export function customerRepository(d1: D1Database) {
	const db = drizzle(d1);
	return {
		/** Which of email or phone is already registered, if any (one indexed read). */
		async findTaken(email: string, phone: string): Promise<"email" | "phone" | null> {
			const rows = await db
				.select({ email: customers.email, phone: customers.phone })
				.from(customers)
				.where(or(eq(customers.email, email), eq(customers.phone, phone)))
				.limit(2);
			if (rows.some((r) => r.phone === phone)) return "phone";
			return rows.length > 0 ? "email" : null;
		},

		/** The customer with this (normalised) email or phone number. */
		async findBy(identifier: { email: string } | { phone: string }): Promise<Customer | undefined> {
			const where =
				"email" in identifier ? eq(customers.email, identifier.email) : eq(customers.phone, identifier.phone);
			return db.select().from(customers).where(where).get();
		},

		/**
		 * Inserts, or returns null when email or phone is taken. The UNIQUE
		 * constraints are the race gate: of two concurrent registrations for one
		 * email, exactly one gets a row.
		 */
		async insert(customer: NewCustomer): Promise<number | null> {
			const rows = await db.insert(customers).values(customer).onConflictDoNothing().returning({ id: customers.id });
			return rows[0]?.id ?? null;
		},

		/**
		 * Replaces a hash only if it is still `previous` (a login's re-hash must
		 * never undo a password reset that ran meanwhile).
		 */
		async replaceHash(id: number, previous: string, next: string): Promise<boolean> {
			const rows = await db
				.update(customers)
				.set({ passwordHash: next })
				.where(and(eq(customers.id, id), eq(customers.passwordHash, previous)))
				.returning({ id: customers.id });
			return rows.length > 0;
		},

		/**
		 * Sets a new password and revokes every open session, atomically (one
		 * batch is one transaction). False when the customer no longer has that phone.
		 */
		async resetPassword(customerId: number, phone: string, passwordHash: string, now: Date): Promise<boolean> {
			const [updated] = await db.batch([
				db
					.update(customers)
					.set({ passwordHash })
					.where(and(eq(customers.id, customerId), eq(customers.phone, phone)))
					.returning({ id: customers.id }),
				db
					.update(sessions)
					.set({ revokedAt: now, revokedReason: "password_reset" })
					.where(and(eq(sessions.customerId, customerId), isNull(sessions.revokedAt))),
			]);
			return updated.length > 0;
		},

		/** Deletes the customer and, in the same batch, every session; email and phone are free again. */
		async delete(id: number): Promise<void> {
			await db.batch([
				db.delete(sessions).where(eq(sessions.customerId, id)),
				db.delete(customers).where(eq(customers.id, id)),
			]);
		},
	};
}
