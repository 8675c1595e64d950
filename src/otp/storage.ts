import type { Ledger, Mark } from "./caps";
import { type ChallengeState, EMPTY, type Purpose, type Registration, type ResetRequest, type Status } from "./state";

/**
 * A phone object's SQLite: one row per code (each registration by its id,
 * the reset as `reset`), every column written on every change so a row is
 * never half-updated; and one row per mark of the ledgers. The single-row
 * `challenges` table of earlier releases held codes without an id; it is
 * dropped on first load (its codes, at most minutes old, must be asked for again).
 */
const SCHEMA = [
	`CREATE TABLE IF NOT EXISTS codes (
		id TEXT PRIMARY KEY,
		purpose TEXT NOT NULL CHECK (purpose IN ('register', 'reset')),
		network TEXT NOT NULL,
		status TEXT NOT NULL,
		subject TEXT,
		code_mac BLOB,
		attempts INTEGER NOT NULL,
		generation INTEGER NOT NULL,
		expires_at INTEGER NOT NULL,
		last_sent_at INTEGER NOT NULL,
		delivery TEXT
	)`,
	`CREATE TABLE IF NOT EXISTS marks (
		purpose TEXT NOT NULL,
		network TEXT NOT NULL,
		kind TEXT NOT NULL CHECK (kind IN ('send', 'fail')),
		at INTEGER NOT NULL
	)`,
];

/** The `delivery` column: how the live code travelled, what its providers said, its language and its fallback. */
type Delivery = Pick<
	ChallengeState,
	"challengeId" | "channel" | "messageId" | "deliveryStatus" | "deliveries" | "locale" | "fallbackAt" | "fellBack"
>;

type Row = {
	id: string;
	purpose: Purpose;
	network: string;
	status: string;
	subject: string | null;
	code_mac: ArrayBuffer | null;
	attempts: number;
	generation: number;
	expires_at: number;
	last_sent_at: number;
	delivery: string | null;
};

export interface Stored {
	registrations: Map<string, ChallengeState<Registration>>;
	reset: ChallengeState<ResetRequest> | null;
	ledgers: Record<Purpose, Ledger>;
}

export const emptyStore = (): Stored => ({
	registrations: new Map(),
	reset: null,
	ledgers: { register: [], reset: [] },
});

export function ensureSchema(sql: SqlStorage): void {
	for (const statement of SCHEMA) sql.exec(statement);
}

/** Whether the tables exist; reading never creates them, so probing a phone stores nothing. */
export function hasSchema(sql: SqlStorage): boolean {
	const tables = sql
		.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('codes', 'challenges')")
		.toArray()
		.map((t) => t.name);
	if (tables.includes("challenges")) sql.exec("DROP TABLE challenges");
	return tables.includes("codes");
}

/** The stored codes and ledgers; call only once the tables exist ({@link hasSchema}). */
export function load(sql: SqlStorage): Stored {
	const stored = emptyStore();
	for (const row of sql.exec<Row>("SELECT * FROM codes ORDER BY last_sent_at")) {
		const state: ChallengeState = {
			id: row.id,
			network: row.network,
			status: row.status as Status,
			subject: row.subject ? JSON.parse(row.subject) : null,
			codeMac: row.code_mac ? new Uint8Array(row.code_mac) : null,
			attempts: row.attempts,
			generation: row.generation,
			expiresAt: row.expires_at,
			lastSentAt: row.last_sent_at,
			// Rows of earlier releases lack the later fields.
			...NO_DELIVERY,
			...(row.delivery ? (JSON.parse(row.delivery) as Partial<Delivery>) : {}),
		};
		if (row.purpose === "reset") stored.reset = state as ChallengeState<ResetRequest>;
		else stored.registrations.set(row.id, state as ChallengeState<Registration>);
	}
	const marks = sql.exec<{ purpose: Purpose; network: string; kind: Mark["kind"]; at: number }>(
		"SELECT purpose, network, kind, at FROM marks ORDER BY at",
	);
	for (const { purpose, network, kind, at } of marks) (stored.ledgers[purpose] as Mark[]).push({ at, network, kind });
	return stored;
}

/**
 * Writes one code; null deletes it. When only a guess or a delivery report
 * changed it (same subject, generation and times as `prev`), updates just
 * those columns: the hot path of a wrong code.
 */
export function saveCode(
	sql: SqlStorage,
	purpose: Purpose,
	id: string,
	s: ChallengeState | null,
	prev: ChallengeState | undefined,
): void {
	if (s === null) {
		sql.exec("DELETE FROM codes WHERE id = ?", id);
		return;
	}
	if (
		prev &&
		s.subject === prev.subject &&
		s.generation === prev.generation &&
		s.expiresAt === prev.expiresAt &&
		s.lastSentAt === prev.lastSentAt
	) {
		sql.exec(
			"UPDATE codes SET status = ?, code_mac = ?, attempts = ?, delivery = ? WHERE id = ?",
			s.status,
			s.codeMac,
			s.attempts,
			deliveryJson(s),
			id,
		);
		return;
	}
	sql.exec(
		`INSERT OR REPLACE INTO codes
		 (id, purpose, network, status, subject, code_mac, attempts, generation, expires_at, last_sent_at, delivery)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id,
		purpose,
		s.network,
		s.status,
		s.subject ? JSON.stringify(s.subject) : null,
		s.codeMac,
		s.attempts,
		s.generation,
		s.expiresAt,
		s.lastSentAt,
		deliveryJson(s),
	);
}

/** Brings the stored ledger of `purpose` from `prev` to `next`: appends new marks, drops the ones that left. */
export function saveLedger(sql: SqlStorage, purpose: Purpose, next: Ledger, prev: Ledger): void {
	const kept = new Set(next);
	const dropped = prev.filter((m) => !kept.has(m));
	if (dropped.length) {
		const oldest = next[0]?.at ?? Number.POSITIVE_INFINITY;
		// Marks leave from the front as the day rolls; a mark taken back (a send that never left) by its identity.
		if (dropped.every((m) => m.at < oldest))
			sql.exec("DELETE FROM marks WHERE purpose = ? AND at < ?", purpose, oldest);
		else
			for (const m of dropped)
				sql.exec(
					"DELETE FROM marks WHERE rowid IN (SELECT rowid FROM marks WHERE purpose = ? AND network = ? AND kind = ? AND at = ? LIMIT 1)",
					purpose,
					m.network,
					m.kind,
					m.at,
				);
	}
	const had = new Set(prev);
	for (const m of next)
		if (!had.has(m))
			sql.exec("INSERT INTO marks (purpose, network, kind, at) VALUES (?, ?, ?, ?)", purpose, m.network, m.kind, m.at);
}

function deliveryOf(s: ChallengeState): Delivery {
	const { challengeId, channel, messageId, deliveryStatus, deliveries, locale, fallbackAt, fellBack } = s;
	return { challengeId, channel, messageId, deliveryStatus, deliveries, locale, fallbackAt, fellBack };
}

const NO_DELIVERY = deliveryOf(EMPTY);

const deliveryJson = (s: ChallengeState) => JSON.stringify(deliveryOf(s));
