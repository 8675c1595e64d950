import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The single source of truth for the D1 schema: `npm run db:generate` writes
 * `migrations/` from it.
 */

/** Registered customers. */
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

/**
 * One row per signed-in session: a refresh-token family. Only the hash of the
 * family's current refresh token id is kept; swapping it with a compare-and-set
 * is what makes a refresh token usable once.
 */
export const sessions = sqliteTable(
	"sessions",
	{
		/** The family id, carried as `sid` in both tokens. */
		id: text("id").primaryKey(),
		customerId: integer("customer_id")
			.notNull()
			.references(() => customers.id, { onDelete: "cascade" }),
		/** SHA-256 (base64url) of the `jti` of the only refresh token that may be used next. */
		tokenHash: text("token_hash").notNull(),
		createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
		expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
		lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }).notNull(),
		revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
		revokedReason: text("revoked_reason", {
			enum: ["logout", "logout_all", "token_reuse", "password_reset"],
		}),
		/** Truncated to 200 characters. */
		userAgent: text("user_agent"),
		/** The network, not the address: `203.0.113.0/24 NZ`. */
		ipSummary: text("ip_summary"),
	},
	(t) => [index("sessions_customer_id_idx").on(t.customerId)],
);

export type Customer = typeof customers.$inferSelect;
export type NewCustomer = typeof customers.$inferInsert;
export type Session = typeof sessions.$inferSelect;
export type NewSession = typeof sessions.$inferInsert;
export type RevokeReason = NonNullable<Session["revokedReason"]>;
