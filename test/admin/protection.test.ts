import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { prefixGuardOf } from "../../src/abuse/prefix-guard";
import { phoneOf } from "../../src/phone/parse";
import { adminCall } from "../support/admin";
import { lastCode } from "../support/outbox";
import { nanpNumbers, SHIPPED_ROOM, strangers } from "../support/ranges";
import { clientOn } from "../support/registration";

const nanp = nanpNumbers(5000);

const SHIPPED = SHIPPED_ROOM;

const stranger = strangers(SHIPPED);

/** Sends to `n` fresh numbers of `area` from strangers; the statuses. */
async function pump(area: string, n: number): Promise<number[]> {
	const statuses: number[] = [];
	for (let i = 0; i < n; i++) statuses.push((await stranger().send(nanp(area))).status);
	return statuses;
}

type Listed = Record<string, unknown> & { range: string; state: string; reported: Record<string, string> };

const protection = async () => {
	const { status, body } = await adminCall("GET", "/protection", { vars: SHIPPED });
	expect(status).toBe(200);
	return body as { level: string; ranges: Listed[] };
};
const listed = async (range: string) => (await protection()).ranges.find((r) => r.range === range);

describe("GET /api/admin/protection", () => {
	it("lists a throttled range with its figures, and not a range that only registers", async () => {
		const person = clientOn("198.51.100.30", SHIPPED);
		const real = nanp("907");
		expect((await person.send(real)).status).toBe(200);
		expect((await person.verify(real, await lastCode(real))).status).toBe(201);
		expect(await pump("876", 13)).toEqual([...Array(10).fill(200), 429, 429, 429]);

		const body = await protection();
		expect(body.level).toBe("standard");
		expect(body.ranges.map((r) => r.range)).toEqual(["+1876"]);
		expect(body.ranges[0]).toMatchObject({
			range: "+1876",
			callingCode: "1",
			state: "throttled",
			reported: { state: "throttled" },
			unverified: 10,
			allowance: 10,
			sends: 10,
			verified: 0,
			provenVerified: 0,
			throttledBlocks: 0,
			blockedFor: 0,
			refusals: 3,
			safe: [],
		});
		expect(body.ranges[0]?.lastRefusedAt).toEqual(expect.any(String));
	});

	it("is told when a range turns, not on every refusal", async () => {
		await pump("473", 11);
		const first = await listed("+1473");
		expect(first?.refusals).toBe(1);
		await pump("473", 5);
		const later = await listed("+1473");
		expect(later?.refusals).toBe(6);
		expect(later?.reported).toEqual(first?.reported);
	});

	it("refuses without the admin token, on every route", async () => {
		for (const [method, path] of [
			["GET", "/protection"],
			["POST", "/protection/unblock"],
			["POST", "/protection/safe"],
			["DELETE", "/protection/safe"],
		] as const) {
			const body = method === "GET" ? undefined : { range: "+1876" };
			const answer = await adminCall(method, path, { token: "nope", body });
			expect([answer.status, answer.body.code]).toEqual([401, "UNAUTHORIZED"]);
		}
	});
});

describe("POST /api/admin/protection/unblock", () => {
	it("lifts a throttle and keeps the range's proven history", async () => {
		const person = clientOn("198.51.100.31", SHIPPED);
		const real = nanp("345");
		expect((await person.send(real)).status).toBe(200);
		expect((await person.verify(real, await lastCode(real))).status).toBe(201);
		// One verified code: 11 of room. Twelve unverified sends later, it is spent.
		expect(await pump("345", 12)).toEqual([...Array(11).fill(200), 429]);
		expect((await listed("+1345"))?.state).toBe("throttled");

		const { status, body } = await adminCall("POST", "/protection/unblock", {
			body: { range: "+1 345" },
			vars: SHIPPED,
		});
		expect(status).toBe(200);
		expect(body.range).toMatchObject({ range: "+1345", state: "clear", unverified: 0, provenVerified: 1, refusals: 0 });
		expect((await stranger().send(nanp("345"))).status).toBe(200);
		// Nothing left to show: the index forgot it.
		expect(await listed("+1345")).toBeUndefined();
	});

	it("lifts a conversion-rate block", async () => {
		const pumped = Array.from({ length: 22 }, (_, i) => `+447800901${String(200 + i).padStart(3, "0")}`);
		const open = { SMS_PREFIX_MIN_SENDS: "20" };
		for (const phone of pumped.slice(0, 20))
			expect((await clientOn("198.51.100.40", open).send(phone)).status).toBe(200);
		// The codes settle (the TTL passes) with none verified: the next send blocks the range.
		await runInDurableObject(prefixGuardOf(env, "+44780"), (instance) => {
			(instance as unknown as { clock: () => number }).clock = () => Date.now() + 6 * 60_000;
		});
		expect((await clientOn("198.51.100.41", open).send(pumped[20] as string)).status).toBe(503);
		const blocked = await listed("+44780");
		expect(blocked).toMatchObject({ state: "blocked", reported: { state: "blocked" }, blockedFor: 3600 });

		const { status } = await adminCall("POST", "/protection/unblock", { body: { range: "+44780" } });
		expect(status).toBe(200);
		expect((await clientOn("198.51.100.42", open).send(pumped[21] as string)).status).toBe(200);
	});

	it("is idempotent: a range with nothing to lift answers the same", async () => {
		for (let i = 0; i < 2; i++) {
			const { status, body } = await adminCall("POST", "/protection/unblock", { body: { range: "+1808" } });
			expect(status).toBe(200);
			expect(body.range).toMatchObject({ range: "+1808", state: "clear", unverified: 0 });
		}
	});

	it.each([["+1"], ["+1876555"], ["1876"], ["+999123"], ["+1 87"], [""]])("refuses %j: not a range", async (range) => {
		const { status, body } = await adminCall("POST", "/protection/unblock", { body: { range } });
		expect([status, body.code, body.field]).toEqual([400, "VALIDATION_ERROR", "range"]);
	});

	it("refuses a body without a range", async () => {
		const { status, body } = await adminCall("POST", "/protection/unblock", { body: {} });
		expect([status, body.code, body.field]).toEqual([400, "VALIDATION_ERROR", "range"]);
	});
});
