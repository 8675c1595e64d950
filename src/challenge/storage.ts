import { type ChallengeState, EMPTY, type Registration, type Status } from "./rules";

/**
 * The single row that holds a phone's challenge, in the object's own SQLite.
 * All columns are written on every change so a row is never half-updated.
 */
const SCHEMA = `CREATE TABLE IF NOT EXISTS challenge (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	status TEXT NOT NULL,
	registration TEXT,
	code_mac BLOB,
	attempts INTEGER NOT NULL,
	generation INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	last_sent_at INTEGER NOT NULL,
	send_log TEXT NOT NULL
)`;

type Row = {
	status: string;
	registration: string | null;
	code_mac: ArrayBuffer | null;
	attempts: number;
	generation: number;
	expires_at: number;
	last_sent_at: number;
	send_log: string;
};

export function ensureSchema(sql: SqlStorage): void {
	sql.exec(SCHEMA);
}

/** Whether the table exists; reading never creates it, so probing a phone stores nothing. */
export function hasSchema(sql: SqlStorage): boolean {
	return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'challenge'").toArray().length > 0;
}

/** The stored state; call only once the table exists ({@link hasSchema}). */
export function loadState(sql: SqlStorage): ChallengeState {
	const row = sql.exec<Row>("SELECT * FROM challenge WHERE id = 1").toArray()[0];
	if (!row) return EMPTY;
	return {
		status: row.status as Status,
		registration: row.registration ? (JSON.parse(row.registration) as Registration) : null,
		codeMac: row.code_mac ? new Uint8Array(row.code_mac) : null,
		attempts: row.attempts,
		generation: row.generation,
		expiresAt: row.expires_at,
		lastSentAt: row.last_sent_at,
		sendLog: JSON.parse(row.send_log) as number[],
	};
}

/**
 * Writes `s`. When only a guess changed it (same registration, generation and
 * send log as `prev`), updates just those columns: the hot path of a wrong code.
 */
export function saveState(sql: SqlStorage, s: ChallengeState, prev?: ChallengeState): void {
	if (
		prev &&
		prev.status !== "none" &&
		s.registration === prev.registration &&
		s.generation === prev.generation &&
		s.sendLog === prev.sendLog &&
		s.expiresAt === prev.expiresAt &&
		s.lastSentAt === prev.lastSentAt
	) {
		sql.exec(
			"UPDATE challenge SET status = ?, code_mac = ?, attempts = ? WHERE id = 1",
			s.status,
			s.codeMac,
			s.attempts,
		);
		return;
	}
	sql.exec(
		`INSERT OR REPLACE INTO challenge
		 (id, status, registration, code_mac, attempts, generation, expires_at, last_sent_at, send_log)
		 VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.status,
		s.registration ? JSON.stringify(s.registration) : null,
		s.codeMac,
		s.attempts,
		s.generation,
		s.expiresAt,
		s.lastSentAt,
		JSON.stringify(s.sendLog),
	);
}
