import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
	/** Which channel the registration code came by: the phone, or the email fallback. Exactly one is set at registration. */
	phoneVerifiedAt: integer("phone_verified_at", { mode: "timestamp_ms" }),
	emailVerifiedAt: integer("email_verified_at", { mode: "timestamp_ms" }),
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

/**
 * One row per code sent, by SMS, WhatsApp, voice call or email: what support needs to answer "I
 * never got the code". Never the code, never the full destination.
 * `status` only moves forward (see delivery/status.ts): callbacks that arrive
 * late or twice cannot undo a later status.
 */
export const messages = sqliteTable(
	"messages",
	{
		/** The provider's id: Twilio's message SID (`SM…`) or call SID (`CA…`), the email API's id. */
		id: text("id").primaryKey(),
		channel: text("channel", { enum: ["sms", "whatsapp", "call", "email"] }).notNull(),
		/**
		 * Null only while a status callback has overtaken the send that records
		 * the message (the send fills them in).
		 */
		purpose: text("purpose", { enum: ["register", "reset"] }),
		/** Ties every send of one registration (or reset) together, for the conversion rate. Random, not derived from the phone. */
		challengeId: text("challenge_id"),
		/** `+1415***2671`, `j***@example.com`. */
		destination: text("destination").notNull(),
		/** The phone's country calling code, without `+`, for the per-country stats. */
		callingCode: text("calling_code").notNull(),
		/** The phone's range (`+1876`: calling code and three digits, as the range guard names it); null on rows older than it. */
		range: text("range"),
		/** The provider's latest status as it names it: `queued`, `sent`, `delivered`, `undelivered`, `failed`, ... */
		status: text("status").notNull(),
		/** The rank of `status` (delivery/status.ts), so the forward-only rule is one SQL comparison. */
		statusRank: integer("status_rank").notNull(),
		/** Twilio's ErrorCode for an undelivered or failed message. */
		errorCode: integer("error_code"),
		createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
		updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
		/** When the code of this message's challenge (this one or a later resend) was verified. */
		verifiedAt: integer("verified_at", { mode: "timestamp_ms" }),
	},
	(t) => [
		index("messages_created_at_idx").on(t.createdAt),
		index("messages_challenge_id_idx").on(t.challengeId),
		// The console's verifications per bucket read by the time of the verification.
		index("messages_verified_at_idx").on(t.verifiedAt),
	],
);

/** Every distinct status a message reported, once each, in the order they reached us. */
export const messageEvents = sqliteTable(
	"message_events",
	{
		messageId: text("message_id")
			.notNull()
			.references(() => messages.id, { onDelete: "cascade" }),
		status: text("status").notNull(),
		errorCode: integer("error_code"),
		at: integer("at", { mode: "timestamp_ms" }).notNull(),
	},
	(t) => [primaryKey({ columns: [t.messageId, t.status] })],
);

/**
 * Refused SMS sends, counted per hour, reason and calling code: what the
 * layers that bound SMS cost turned away (abuse/refusals.ts). Each isolate
 * tallies in memory and adds its counts here in one batch every few seconds,
 * so a refusal never waits on D1; `observed` rows are what SMS_PROTECTION=observe
 * would have refused.
 */
export const refusals = sqliteTable(
	"refusals",
	{
		/** The start of the hour, ms since the epoch. */
		hour: integer("hour", { mode: "timestamp_ms" }).notNull(),
		/** One word of abuse/refusals.ts's vocabulary: `range_throttled`, `budget`, `country`, ... */
		reason: text("reason").notNull(),
		/** The number's calling code without `+`; `unknown` when the refusal came before the number was read. */
		callingCode: text("calling_code").notNull(),
		observed: integer("observed", { mode: "boolean" }).notNull().default(false),
		count: integer("count").notNull(),
	},
	(t) => [primaryKey({ columns: [t.hour, t.reason, t.callingCode, t.observed] })],
);

/**
 * The index of ranges the protection acts on (abuse/range-episode.ts): one row
 * per range whose guard refused sends lately (written when its episode starts
 * or changes, not per refusal) or that has a safe list. The figures live in
 * each range's guard object; this table only says which objects to ask.
 */
export const protectedRanges = sqliteTable(
	"protected_ranges",
	{
		/** `+1876`: the calling code and the next three digits. */
		range: text("range").primaryKey(),
		/** What the guard last reported; `clear` after an operator's unblock. */
		state: text("state", { enum: ["throttled", "blocked", "clear"] }).notNull(),
		/** When the episode of refusals began. */
		since: integer("since", { mode: "timestamp_ms" }).notNull(),
		updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
		/** The range's guard holds a safe list: the row outlives retention. */
		safe: integer("safe", { mode: "boolean" }).notNull().default(false),
	},
	(t) => [index("protected_ranges_updated_at_idx").on(t.updatedAt)],
);

export type Customer = typeof customers.$inferSelect;
export type NewCustomer = typeof customers.$inferInsert;
export type Session = typeof sessions.$inferSelect;
export type NewSession = typeof sessions.$inferInsert;
export type Message = typeof messages.$inferSelect;
export type ProtectedRange = typeof protectedRanges.$inferSelect;
export type RevokeReason = NonNullable<Session["revokedReason"]>;
