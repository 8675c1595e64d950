import { type ChallengeState, EMPTY, type Purpose, type Status, type Subjects } from "./rules";

/**
 * One row per purpose in the object's own SQLite. All columns are written on
 * every change, so a row is never half-updated. (`challenges` replaced the
 * single-row `challenge` table of the first release; an object that still has
 * that table purges it with everything else when its alarm finds nothing held.)
 */
const SCHEMA = `CREATE TABLE IF NOT EXISTS challenges (
	purpose TEXT PRIMARY KEY CHECK (purpose IN ('register', 'reset')),
	status TEXT NOT NULL,
	subject TEXT,
	code_mac BLOB,
	attempts INTEGER NOT NULL,
	generation INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	last_sent_at INTEGER NOT NULL,
	send_log TEXT NOT NULL,
	fail_log TEXT NOT NULL,
	delivery TEXT
)`;

/** Added with delivery tracking; objects created before it get the column on first load. */
const DELIVERY_COLUMN = "ALTER TABLE challenges ADD COLUMN delivery TEXT";

/** The `delivery` column: how the live code travelled and what its provider said. */
type Delivery = Pick<ChallengeState, "challengeId" | "channel" | "messageId" | "deliveryStatus">;

type Row = {
	purpose: Purpose;
	status: string;
	subject: string | null;
	code_mac: ArrayBuffer | null;
	attempts: number;
	generation: number;
	expires_at: number;
	last_sent_at: number;
	send_log: string;
	fail_log: string;
	delivery: string | null;
};

export type States = { [P in Purpose]: ChallengeState<Subjects[P]> };

export const NO_STATES: States = { register: EMPTY, reset: EMPTY };

export function ensureSchema(sql: SqlStorage): void {
	sql.exec(SCHEMA);
}

/**
 * Whether the table exists (bringing an older one up to date); reading
 * never creates it, so probing a phone stores nothing.
 */
export function hasSchema(sql: SqlStorage): boolean {
	const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('challenges')").toArray();
	if (columns.length === 0) return false;
	if (!columns.some((c) => c.name === "delivery")) sql.exec(DELIVERY_COLUMN);
	return true;
}

/** The stored states; call only once the table exists ({@link hasSchema}). */
export function loadStates(sql: SqlStorage): States {
	const states = { ...NO_STATES };
	for (const row of sql.exec<Row>("SELECT * FROM challenges")) {
		states[row.purpose] = {
			status: row.status as Status,
			subject: row.subject ? JSON.parse(row.subject) : null,
			codeMac: row.code_mac ? new Uint8Array(row.code_mac) : null,
			attempts: row.attempts,
			generation: row.generation,
			expiresAt: row.expires_at,
			lastSentAt: row.last_sent_at,
			sendLog: JSON.parse(row.send_log) as number[],
			failLog: JSON.parse(row.fail_log) as number[],
			...(row.delivery ? (JSON.parse(row.delivery) as Delivery) : NO_DELIVERY),
		};
	}
	return states;
}

/**
 * Writes `s` for `purpose`; EMPTY deletes the row. When only a guess changed it
 * (same subject, generation and send log as `prev`), updates just those
 * columns: the hot path of a wrong code.
 */
export function saveState(sql: SqlStorage, purpose: Purpose, s: ChallengeState, prev: ChallengeState): void {
	if (s === EMPTY) {
		sql.exec("DELETE FROM challenges WHERE purpose = ?", purpose);
		return;
	}
	if (
		prev.status !== "none" &&
		s.subject === prev.subject &&
		s.generation === prev.generation &&
		s.sendLog === prev.sendLog &&
		s.expiresAt === prev.expiresAt &&
		s.lastSentAt === prev.lastSentAt
	) {
		sql.exec(
			"UPDATE challenges SET status = ?, code_mac = ?, attempts = ?, fail_log = ?, delivery = ? WHERE purpose = ?",
			s.status,
			s.codeMac,
			s.attempts,
			JSON.stringify(s.failLog),
			deliveryJson(s),
			purpose,
		);
		return;
	}
	sql.exec(
		`INSERT OR REPLACE INTO challenges
		 (purpose, status, subject, code_mac, attempts, generation, expires_at, last_sent_at, send_log, fail_log, delivery)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		purpose,
		s.status,
		s.subject ? JSON.stringify(s.subject) : null,
		s.codeMac,
		s.attempts,
		s.generation,
		s.expiresAt,
		s.lastSentAt,
		JSON.stringify(s.sendLog),
		JSON.stringify(s.failLog),
		deliveryJson(s),
	);
}

const NO_DELIVERY: Delivery = { challengeId: null, channel: null, messageId: null, deliveryStatus: null };

function deliveryJson(s: ChallengeState): string {
	const { challengeId, channel, messageId, deliveryStatus } = s;
	return JSON.stringify({ challengeId, channel, messageId, deliveryStatus });
}
