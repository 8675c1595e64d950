import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";

/** The Durable Objects' state as tests reach into it: their clocks and their stored rows. */

/**
 * Moves the clock of the Durable Object behind `stub` to `ms` since the epoch:
 * every object reads the time through its private `clock`, which tests replace.
 */
export async function moveObjectClock(
	stub: DurableObjectStub<Rpc.DurableObjectBranded | undefined>,
	ms: number,
): Promise<void> {
	await runInDurableObject(stub as DurableObjectStub, (instance) => {
		(instance as unknown as { clock: () => number }).clock = () => ms;
	});
}

export function challengeStub(phone: string) {
	return env.PHONE_CHALLENGE.get(env.PHONE_CHALLENGE.idFromName(phone));
}

/** Moves the Durable Object's clock for `phone` to `ms` since the epoch. */
export async function setClock(phone: string, ms: number): Promise<void> {
	await moveObjectClock(challengeStub(phone), ms);
}

/** The LoginThrottle object for `key` (`customer:<id>`, `unknown:<email>`, `ip:<address>`). */
export const throttleStub = (key: string) => env.LOGIN_THROTTLE.get(env.LOGIN_THROTTLE.idFromName(key));

/** Moves the LoginThrottle object's clock for `key` (`customer:<id>`, `unknown:<email>`, `ip:<address>`). */
export async function setThrottleClock(key: string, ms: number): Promise<void> {
	await moveObjectClock(throttleStub(key), ms);
}

/** The RollingCounter object of `scope` (e.g. `cc:44`, `ip-hour:<address>`). */
export const counterStub = (scope: string) => env.COUNTERS.get(env.COUNTERS.idFromName(scope));

/**
 * The Durable Object's stored row of a code of `phone`: the reset, or the
 * registration `id` (default: the latest one sent); null when it holds none.
 */
export async function storedChallenge(
	phone: string,
	purpose: "register" | "reset" = "register",
	id?: string,
): Promise<Record<string, unknown> | null> {
	return runInDurableObject(challengeStub(phone), (_, state) => {
		if (!hasTable(state, "codes")) return null;
		const sql = state.storage.sql;
		if (purpose === "reset") return sql.exec("SELECT * FROM codes WHERE id = 'reset'").toArray()[0] ?? null;
		const rows =
			id === undefined
				? sql.exec("SELECT * FROM codes WHERE purpose = 'register' ORDER BY last_sent_at DESC LIMIT 1")
				: sql.exec("SELECT * FROM codes WHERE id = ?", id);
		return rows.toArray()[0] ?? null;
	});
}

/** The times of the stored marks (`send` or `fail`) of one flow of `phone`, oldest first; by `network` when given. */
export async function storedMarks(
	phone: string,
	kind: "send" | "fail",
	purpose: "register" | "reset" = "register",
	network?: string,
): Promise<number[]> {
	return runInDurableObject(challengeStub(phone), (_, state) => {
		if (!hasTable(state, "marks")) return [];
		return state.storage.sql
			.exec<{ at: number; network: string }>(
				"SELECT at, network FROM marks WHERE purpose = ? AND kind = ? ORDER BY at",
				purpose,
				kind,
			)
			.toArray()
			.filter((m) => network === undefined || m.network === network)
			.map((m) => m.at);
	});
}

/** The stored registrations of `phone` (every column), oldest send first. */
export async function storedRegistrations(phone: string): Promise<Record<string, unknown>[]> {
	return runInDurableObject(challengeStub(phone), (_, state) => {
		if (!hasTable(state, "codes")) return [];
		return state.storage.sql.exec("SELECT * FROM codes WHERE purpose = 'register' ORDER BY last_sent_at").toArray();
	});
}

function hasTable(state: DurableObjectState, name: string): boolean {
	return (
		state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", name).toArray().length >
		0
	);
}

/** What the RollingCounter `scope` holds in its window (e.g. `guess-day:<network>`, `cc:44`). */
export async function counterTotal(scope: string): Promise<number> {
	return runInDurableObject(counterStub(scope), async (_, state) => {
		const buckets = (await state.storage.get<Record<string, number>>("buckets")) ?? {};
		return Object.values(buckets).reduce((a, b) => a + b, 0);
	});
}
