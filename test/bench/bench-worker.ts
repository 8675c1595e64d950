import { DurableObject } from "cloudflare:workers";
import { Hono } from "hono";
import { takeQuotas } from "../../src/abuse/budget";
import { createApp } from "../../src/app";
import { hashPassword } from "../../src/auth/passwords";
import { getConfig } from "../../src/config/config";
import { ladder } from "./bench-ladder.ts";
import { loop } from "./bench-loops.ts";

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

	/** One durable write, as a counter's `take` makes it: a value and (`alarm`) the alarm that forgets it. */
	async write(n: number, alarm: boolean): Promise<null> {
		await this.ctx.storage.put("value", { n, at: Date.now() });
		if (alarm) await this.ctx.storage.setAlarm(Date.now() + DAY_MS);
		return null;
	}

	/** Never reached in a run: the alarm is a day away. */
	override async alarm(): Promise<void> {}
}

const DAY_MS = 86_400_000;

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
bench.get("/do-two", async (c) => {
	// What a wrong guess pays in round trips: two warm objects, one after the other.
	await c.env.BARE_OBJECT.getByName("existing").ping();
	await c.env.BARE_OBJECT.getByName("existing-2").ping();
	return c.json(ok);
});
let writes = 0;
bench.get("/do-write", async (c) => {
	await c.env.BARE_OBJECT.getByName("existing").write(++writes, c.req.query("alarm") !== "no");
	return c.json(ok);
});
bench.get("/counter", async (c) => {
	// The guess limit's round trip as takeGuess makes it: the real RollingCounter, a day's window.
	const taken = await takeQuotas(c.env, [{ scope: "guess-day:bench", limit: 1e9, windowMs: DAY_MS }]);
	return c.json({ ok: "release" in taken });
});
bench.get("/do-new-d1-read", async (c) => {
	// Target (b)'s baseline in one request: a new object, then one indexed D1 read.
	await c.env.BARE_OBJECT.getByName(crypto.randomUUID()).ping();
	const id = Number(c.req.query("id") ?? "1");
	const row = await c.env.DB.prepare("SELECT * FROM customers WHERE id = ?").bind(id).first();
	return c.json({ found: row !== null });
});
bench.get("/fetch", async (c) => {
	// One outbound HTTP request to the fake Twilio, as an SMS send makes one.
	const res = await fetch(`${c.env.TWILIO_API_BASE_URL}/_fake/messages?to=%2B10000000000`);
	await res.arrayBuffer();
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

bench.get("/loop/:what", loop);
bench.route("/", ladder());

// The baselines first: the production app ends in a catch-all for its pages.
const app = new Hono<{ Bindings: BenchEnv }>();
app.route("/bench", bench);
app.route("/", createApp());

export default app satisfies ExportedHandler<Env>;
