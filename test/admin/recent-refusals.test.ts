import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { protectionStore } from "../../src/abuse/protection-store";
import type { RefusalCount } from "../../src/abuse/refusal-tally";
import { adminCall } from "../support/admin";
import { strangers } from "../support/ranges";
import { HOUR, MIN, T } from "../support/sms-stats";

// GET /api/admin/refusals/recent over a seeded refusals table. Requests are made at NOW,
// half an hour into T's hour, so `hours=24` reads the hours T−23h … T.
const NOW = T + 30 * MIN;
const iso = (ms: number) => new Date(ms).toISOString();
const get = (path: string, token?: string) => adminCall("GET", path, { now: NOW, token });

const at = (hour: number, reason: string, callingCode: string, count: number, observed = false): RefusalCount => ({
	hour,
	reason,
	callingCode,
	count,
	observed,
});

/** The rows of the last 24 hours, in the order the endpoint answers them. */
const LAST_DAY = [
	at(T, "budget", "44", 7),
	at(T, "range_throttled", "1", 5, true),
	// Equal counts: by reason.
	at(T, "challenge", "unknown", 3),
	at(T, "range_throttled", "1", 3),
	at(T, "country", "53", 1),
	at(T - 2 * HOUR, "range_throttled", "1", 2),
	// The window's first hour.
	at(T - 23 * HOUR, "network", "1", 4),
];

/** 3 rows per hour from T−30h back to T−99h: 210 rows that only `hours=168` reaches. */
const OLD = Array.from({ length: 70 }, (_, i) =>
	["asn_sends", "budget", "country"].map((reason) => at(T - (30 + i) * HOUR, reason, "1", 1)),
).flat();

beforeAll(async () => {
	// Shuffled, so the order of the answer is the query's, not the insertion's.
	const outside = [at(T - 24 * HOUR, "budget", "1", 9), at(T + HOUR, "budget", "1", 6)];
	await protectionStore(env.DB).addRefusals([...OLD, ...outside, ...[...LAST_DAY].reverse()]);
});

const wire = (r: RefusalCount) => ({ ...r, hour: iso(r.hour) });

describe("GET /api/admin/refusals/recent", () => {
	it("the last 24 hours by default: newest hour first, then the largest count, observed rows marked", async () => {
		for (const path of ["/refusals/recent", "/refusals/recent?hours=24"]) {
			const { status, body } = await get(path);
			expect(status, path).toBe(200);
			expect(body, path).toEqual({
				success: true,
				hours: 24,
				since: iso(T - 23 * HOUR),
				rows: LAST_DAY.map(wire),
				truncated: false,
			});
		}
	});

	it("hours bounds the window to the current hour and the ones before it", async () => {
		const one = await get("/refusals/recent?hours=1");
		expect(one.body.since).toBe(iso(T));
		expect(one.body.rows).toEqual(LAST_DAY.filter((r) => r.hour === T).map(wire));
		const three = await get("/refusals/recent?hours=3");
		expect(three.body.rows).toEqual(LAST_DAY.filter((r) => r.hour >= T - 2 * HOUR).map(wire));
	});

	it("answers at most 200 rows, the newest, and says it cut the list", async () => {
		const { status, body } = await get("/refusals/recent?hours=168");
		expect(status).toBe(200);
		const rows = body.rows as { hour: string }[];
		expect(rows).toHaveLength(200);
		expect(body.truncated).toBe(true);
		expect(rows.slice(0, 7)).toEqual(LAST_DAY.map(wire));
		expect(rows[7]).toEqual(wire(at(T - 24 * HOUR, "budget", "1", 9)));
		// 8 rows down to T−24h, then 192 = 64 hours × 3 of the old ones: T−30h … T−93h.
		expect(rows[199]?.hour).toBe(iso(T - 93 * HOUR));
		const hours = rows.map((r) => Date.parse(r.hour));
		expect(hours).toEqual([...hours].sort((a, b) => b - a));
	});

	it("refuses hours out of 1..168 or not whole with VALIDATION_ERROR", async () => {
		for (const query of ["hours=0", "hours=-1", "hours=169", "hours=2.5", "hours=abc", "hours="]) {
			const { status, body } = await get(`/refusals/recent?${query}`);
			expect(status, query).toBe(400);
			expect(body, query).toMatchObject({ success: false, code: "VALIDATION_ERROR" });
		}
	});

	it("is the admin's: a wrong token is 401 and no rows", async () => {
		for (const path of ["/refusals/recent", "/refusals/recent?hours=0"]) {
			const { status, body } = await get(path, "not-the-admin-token");
			expect(status, path).toBe(401);
			expect(body, path).toMatchObject({ code: "UNAUTHORIZED" });
			expect(body, path).not.toHaveProperty("rows");
		}
	});

	it("shows a refusal this isolate has only tallied: the endpoint writes the tally first", async () => {
		const refused = await strangers()().send("+5351234567");
		expect(refused.status).toBe(403);
		const { body } = await adminCall("GET", "/refusals/recent?hours=1");
		const rows = body.rows as { reason: string; callingCode: string; count: number; observed: boolean }[];
		expect(rows).toContainEqual(expect.objectContaining({ reason: "country", callingCode: "53", count: 1 }));
	});

	it("reads the window through the primary key, whose first column is the hour", async () => {
		const sqls: string[] = [];
		const spy = new Proxy(env.DB, {
			get(target, key) {
				if (key === "prepare")
					return (sql: string) => {
						sqls.push(sql);
						return target.prepare(sql);
					};
				const value = Reflect.get(target, key);
				return typeof value === "function" ? value.bind(target) : value;
			},
		});
		await protectionStore(spy).recentRefusals(T - HOUR, T + HOUR, 10);
		expect(sqls).toHaveLength(1);
		const sql = sqls[0] as string;
		const params = (sql.match(/\?/g) ?? []).map(() => 0);
		const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
			.bind(...params)
			.all<{ detail: string }>();
		const details = plan.results.map((r) => r.detail).join("\n");
		expect(details).toMatch(/SEARCH refusals USING INDEX sqlite_autoindex_refusals_1 \(hour>\? AND hour<\?\)/);
		expect(details).not.toMatch(/SCAN refusals/);
	});
});
