import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Registered customers. The single source of truth for the D1 schema:
 * `npm run db:generate` writes `migrations/` from it.
 */
export const customers = sqliteTable("customers", {
	id: integer("id").primaryKey({ autoIncrement: true }),
	name: text("name").notNull(),
	/** Trimmed and lower-cased before it gets here. */
	email: text("email").notNull().unique(),
	/** E.164, normalised before it gets here. */
	phone: text("phone").notNull().unique(),
	/** A self-describing scrypt string, never the password. */
	passwordHash: text("password_hash").notNull(),
	phoneVerifiedAt: integer("phone_verified_at", { mode: "timestamp_ms" }),
	createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

export type Customer = typeof customers.$inferSelect;
export type NewCustomer = typeof customers.$inferInsert;
