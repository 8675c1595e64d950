import { eq, or } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { customers, type NewCustomer } from "../db/schema";

/** Customer persistence in D1; the only module that writes the table. */
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

		/**
		 * Inserts, or returns null when email or phone is taken. The UNIQUE
		 * constraints are the race gate: of two concurrent registrations for one
		 * email, exactly one gets a row.
		 */
		async insert(customer: NewCustomer): Promise<number | null> {
			const rows = await db.insert(customers).values(customer).onConflictDoNothing().returning({ id: customers.id });
			return rows[0]?.id ?? null;
		},
	};
}
