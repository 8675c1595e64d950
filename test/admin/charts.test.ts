import { beforeAll, describe, expect, it } from "vitest";
import { adminCall } from "../support/admin";
import { NOW, seedCharts } from "../support/charts-seed";
import { DAY, HOUR, T } from "../support/sms-stats";

// Every row of this file's D1 is the set of test/support/charts-seed.ts; the tests only read.
beforeAll(seedCharts);

const get = (path: string, token?: string) => adminCall("GET", path, { now: NOW, token });
const iso = (ms: number) => new Date(ms).toISOString();
const zero = { sends: 0, delivered: 0, failed: 0, verified: 0, refused: 0 };

interface Point {
	start: string;
	sends: number;
	delivered: number;
	failed: number;
	verified: number;
	refused: number;
}

describe("GET /api/admin/sms-series", () => {
	it("hours: 24 buckets ending with the current one, each counted from the seeded rows", async () => {
		const { status, body } = await get("/sms-series");
		expect(status).toBe(200);
		expect(body).toMatchObject({ success: true, bucket: "hour", from: iso(T - 23 * HOUR), to: iso(T + HOUR) });
		const points = body.points as Point[];
		expect(points).toHaveLength(24);
		expect(points.map((p) => p.start)).toEqual(Array.from({ length: 24 }, (_, i) => iso(T - (23 - i) * HOUR)));
		// S1 and S3b sent in T's hour; k1 and k3 verified in it (S3 itself was sent the hour before).
		expect(points[23]).toEqual({ start: iso(T), sends: 2, delivered: 1, failed: 0, verified: 2, refused: 3 });
		expect(points[22]).toEqual({ start: iso(T - HOUR), sends: 2, delivered: 0, failed: 1, verified: 0, refused: 0 });
		expect(points[21]).toEqual({ start: iso(T - 2 * HOUR), ...zero, refused: 2 });
		expect(points[20]).toEqual({ start: iso(T - 3 * HOUR), ...zero, sends: 1, delivered: 1, verified: 1 });
		// S5 on the window's first ms; S6 a ms before it is left out.
		expect(points[0]).toEqual({ start: iso(T - 23 * HOUR), ...zero, sends: 1 });
		const total = points.reduce((n, p) => n + p.sends, 0);
		expect(total).toBe(6);
	});

	it("days: S6 joins yesterday's bucket; the email and the callback-only row never count", async () => {
		const { status, body } = await get("/sms-series?bucket=day&count=2");
		expect(status).toBe(200);
		const points = body.points as Point[];
		expect(points).toEqual([
			{ start: iso(T - 12 * HOUR - DAY), ...zero, sends: 2 },
			{ start: iso(T - 12 * HOUR), sends: 5, delivered: 2, failed: 1, verified: 3, refused: 5 },
		]);
		expect(body.to).toBe(iso(T + 12 * HOUR));
	});

	it("weeks start on Monday 00:00 UTC (T is a Monday)", async () => {
		const { body } = await get("/sms-series?bucket=week&count=2");
		const points = body.points as Point[];
		expect(points.map((p) => [p.start, p.sends])).toEqual([
			[iso(T - 12 * HOUR - 7 * DAY), 2],
			[iso(T - 12 * HOUR), 5],
		]);
		expect(new Date(points[1]?.start as string).getUTCDay()).toBe(1);
	});

	it("refuses a bucket it does not know and counts out of bounds with VALIDATION_ERROR", async () => {
		for (const query of [
			"bucket=month",
			"count=0",
			"count=-1",
			"count=2.5",
			"count=abc",
			"count=169",
			"bucket=day&count=91",
			"bucket=week&count=53",
		]) {
			const { status, body } = await get(`/sms-series?${query}`);
			expect(status, query).toBe(400);
			expect(body, query).toMatchObject({ success: false, code: "VALIDATION_ERROR" });
		}
		expect((await get("/sms-series?count=168")).status).toBe(200);
		expect((await get("/sms-series?bucket=week&count=52")).status).toBe(200);
	});
});

describe("GET /api/admin/sms-rates", () => {
	it("by range over the day: delivery and conversion per range, the most sent first, rows without a range left out", async () => {
		const { status, body } = await get("/sms-rates?window=day&by=range");
		expect(status).toBe(200);
		expect(body).toMatchObject({ success: true, window: "day", by: "range", since: iso(NOW - DAY) });
		expect(body.rows).toEqual([
			{
				key: "+1415",
				sends: 2,
				delivered: 1,
				failed: 1,
				deliveryRate: 0.5,
				challenges: 2,
				verified: 1,
				conversion: 0.5,
			},
			{ key: "+1876", sends: 2, delivered: 0, failed: 0, deliveryRate: 0, challenges: 1, verified: 1, conversion: 1 },
			{ key: "+1212", sends: 1, delivered: 0, failed: 0, deliveryRate: 0, challenges: 1, verified: 0, conversion: 0 },
			{ key: "+44740", sends: 1, delivered: 1, failed: 0, deliveryRate: 1, challenges: 1, verified: 1, conversion: 1 },
		]);
	});

	it("by country (the default), S6 without a range included", async () => {
		const { body } = await get("/sms-rates");
		expect(body).toMatchObject({ window: "day", by: "country" });
		expect(body.rows).toEqual([
			{
				key: "1",
				sends: 6,
				delivered: 1,
				failed: 1,
				deliveryRate: 0.1667,
				challenges: 5,
				verified: 2,
				conversion: 0.4,
			},
			{ key: "44", sends: 1, delivered: 1, failed: 0, deliveryRate: 1, challenges: 1, verified: 1, conversion: 1 },
		]);
	});

	it("the hour holds what was sent since NOW − 1h, its first ms included", async () => {
		const { body } = await get("/sms-rates?window=hour&by=range");
		expect((body.rows as { key: string; sends: number }[]).map((r) => [r.key, r.sends])).toEqual([
			["+1415", 2],
			["+1876", 2],
		]);
	});

	it("refuses unknown windows and groupings", async () => {
		for (const query of ["window=month", "by=carrier", "window="]) {
			const { status, body } = await get(`/sms-rates?${query}`);
			expect(status, query).toBe(400);
			expect(body, query).toMatchObject({ code: "VALIDATION_ERROR" });
		}
	});
});

describe("the chart endpoints are the admin's", () => {
	it.each(["/sms-series", "/sms-rates", "/sms-series?bucket=month"])(
		"%s refuses a wrong token with 401",
		async (path) => {
			const { status, body } = await get(path, "not-the-admin-token");
			expect(status).toBe(401);
			expect(body).toMatchObject({ code: "UNAUTHORIZED" });
			expect(body).not.toHaveProperty("points");
			expect(body).not.toHaveProperty("rows");
		},
	);
});
