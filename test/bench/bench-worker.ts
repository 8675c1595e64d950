import { DurableObject } from "cloudflare:workers";
import { Hono } from "hono";
import { createApp } from "../../src/app";
import { hashPassword } from "../../src/auth/passwords";
import { getConfig } from "../../src/config/config";

export { PrefixGuard } from "../../src/abuse/prefix-guard";
export { RollingCounter } from "../../src/abuse/rolling-counter";
export { LoginThrottle } from "../../src/auth/throttle/login-throttle";
export { PhoneChallenge } from "../../src/otp/phone-challenge";

/**
 * The production app plus baseline routes under `/bench/`, for `npm run bench`
 * only (wrangler.bench.toml). Each baseline isolates one ingredient of a real
 * request, so the app's costs can be read against them. Never deployed: the
 * production Worker is src/index.ts, which has none of these routes.
 */

interface BenchEnv extends Env {
	BARE_OBJECT: DurableObjectNamespace<BareObject>;
}

/** A Durable Object that does nothing: the cost of reaching one, and no more. */
export class BareObject extends DurableObject<BenchEnv> {
	/** No work, no storage. */
	ping(): null {
		return null;
	}
}

const BENCH_TABLE = `CREATE TABLE IF NOT EXISTS bench_rows (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	value TEXT NOT NULL,
	created_at INTEGER NOT NULL
)`;

const bench = new Hono<{ Bindings: BenchEnv }>();
const ok = { ok: true } as const;

bench.post("/setup", async (c) => {
	await c.env.DB.prepare(BENCH_TABLE).run();
	return c.json(ok);
});
bench.get("/json", (c) => c.json(ok));
bench.get("/do-existing", async (c) => {
	// One fixed name: after the first request the object exists and is warm.
	await c.env.BARE_OBJECT.getByName("existing").ping();
	return c.json(ok);
});
bench.get("/do-new", async (c) => {
	await c.env.BARE_OBJECT.getByName(crypto.randomUUID()).ping();
	return c.json(ok);
});
bench.get("/d1-read", async (c) => {
	const id = Number(c.req.query("id") ?? "1");
	const row = await c.env.DB.prepare("SELECT * FROM customers WHERE id = ?").bind(id).first();
	return c.json({ found: row !== null });
});
bench.get("/d1-insert", async (c) => {
	await c.env.DB.prepare("INSERT INTO bench_rows (value, created_at) VALUES (?, ?)")
		.bind(crypto.randomUUID(), Date.now())
		.run();
	return c.json(ok);
});
bench.get("/hash", async (c) => {
	await hashPassword("correct horse battery", getConfig(c.env).scrypt);
	return c.json(ok);
});

// The baselines first: the production app ends in a catch-all for its pages.
const app = new Hono<{ Bindings: BenchEnv }>();
app.route("/bench", bench);
app.route("/", createApp());

export default app satisfies ExportedHandler<Env>;
