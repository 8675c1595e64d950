import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { prefixGuardOf } from "../../src/abuse/prefix-guard";
import { phoneOf } from "../../src/phone/parse";
import { adminCall } from "../support/admin";
import { GUARD_POLICY } from "../support/guard-policy";
import { counterTotal } from "../support/objects";
import { smsTo } from "../support/outbox";
import { nanpNumbers, SHIPPED_ROOM, strangers } from "../support/ranges";
import { clientOn } from "../support/registration";

const nanp = nanpNumbers(6000);

const SHIPPED = SHIPPED_ROOM;

const stranger = strangers(SHIPPED);

const safe = (body: Record<string, unknown>, method: "POST" | "DELETE" = "POST") =>
	adminCall(method, "/protection/safe", { body });

describe("POST /api/admin/protection/safe", () => {
	it("a safe-listed number is texted while its range is throttled, uncounted; a stranger's next number is not", async () => {
		for (let i = 0; i < 10; i++) expect((await stranger().send(nanp("876"))).status).toBe(200);
		const owner = clientOn("198.51.100.50", SHIPPED);
		const mine = nanp("876");
		expect((await owner.send(mine)).status).toBe(429);

		const added = await safe({ phone: mine.replace("+1876", "+1 (876) ") });
		expect(added).toEqual({
			status: 200,
			body: { success: true, range: "+1876", entry: mine, safe: true, changed: true, safeList: [mine] },
		});
		expect((await owner.send(mine)).status).toBe(200);
		expect(await smsTo(mine)).toHaveLength(1);
		expect((await stranger().send(nanp("876"))).status).toBe(429);
		// Uncounted: the range's unverified sends did not grow.
		const { body } = await adminCall("GET", "/protection", { vars: SHIPPED });
		const range = (body.ranges as { range: string; unverified: number; safe: string[] }[]).find(
			(r) => r.range === "+1876",
		);
		expect(range).toMatchObject({ unverified: 10, safe: [mine] });
	});

	it("a safe-listed block passes every number in it; DELETE and safe:false take it off; both idempotent", async () => {
		for (let i = 0; i < 3; i++) expect((await stranger().send(nanp("649", "555"))).status).toBe(200);
		expect((await stranger().send(nanp("649", "555"))).status).toBe(429);

		expect((await safe({ range: "+1 649 555" })).body).toMatchObject({ entry: "+1649555", changed: true });
		expect((await safe({ range: "+1649555" })).body).toMatchObject({ entry: "+1649555", changed: false });
		for (let i = 0; i < 3; i++) expect((await stranger().send(nanp("649", "555"))).status).toBe(200);
		// Another block of the range is judged as before.
		expect((await stranger().send(nanp("649", "556"))).status).toBe(200);

		expect((await safe({ range: "+1649555" }, "DELETE")).body).toMatchObject({ changed: true, safeList: [] });
		expect((await safe({ range: "+1649555" }, "DELETE")).body).toMatchObject({ changed: false, safeList: [] });
		expect((await stranger().send(nanp("649", "555"))).status).toBe(429);
		await safe({ range: "+1649555" });
		expect((await safe({ range: "+1649555", safe: false })).body).toMatchObject({ safe: false, changed: true });
	});

	it("draws on the budgets' reserve, as SMS_SAFE_RANGES does", async () => {
		// +64 (New Zealand): a budget of 5, registrations may use 4 of it.
		const vars = { SMS_BUDGET_PER_COUNTRY_PER_HOUR: "5" };
		// A block (+64 and five digits) of its own for each number.
		let seq = 0;
		const kiwi = () => `+6421${100 + (++seq % 900)}6543`;
		for (let i = 0; i < 4; i++) expect((await stranger(vars).send(kiwi())).status).toBe(200);
		expect((await stranger(vars).send(kiwi())).status).toBe(503);
		const tester = kiwi();
		await safe({ phone: tester });
		expect((await stranger(vars).send(tester)).status).toBe(200);
		expect(await counterTotal("cc:64")).toBe(5);
	});

	it("lists a range with a safe list even when it refuses nothing", async () => {
		await safe({ range: "+1907" });
		const { body } = await adminCall("GET", "/protection");
		expect((body.ranges as { range: string }[]).find((r) => r.range === "+1907")).toMatchObject({
			state: "clear",
			reported: { state: "clear" },
			safe: ["+1907"],
		});
		await safe({ range: "+1907" }, "DELETE");
		const after = await adminCall("GET", "/protection");
		expect((after.body.ranges as { range: string }[]).find((r) => r.range === "+1907")).toMatchObject({ safe: [] });
	});

	it("keeps the safe list when everything else of the range is forgotten", async () => {
		await safe({ range: "+1808" });
		const guard = prefixGuardOf(env, "+1808");
		expect((await stranger().send(nanp("808"))).status).toBe(200);
		await runInDurableObject(guard, (instance) => {
			(instance as unknown as { clock: () => number }).clock = () => Date.now() + 40 * 86_400_000;
		});
		await runDurableObjectAlarm(guard);
		expect(await guard.isSafe("+18085550100")).toBe(true);
		expect((await guard.figures(GUARD_POLICY)).safe).toEqual(["+1808"]);
	});

	it.each([
		[{ range: "+1876", phone: "+18765550123" }, "range"],
		[{}, "range"],
		[{ range: "+1" }, "range"],
		[{ range: "+44" }, "range"],
		[{ range: "1876" }, "range"],
		[{ phone: "+1876" }, "phone"],
		[{ phone: "+14150001234" }, "phone"],
		[{ range: "+1876", safe: "yes" }, "safe"],
	])("refuses %j with VALIDATION_ERROR on %s", async (body, field) => {
		const answer = await safe(body);
		expect([answer.status, answer.body.code, answer.body.field]).toEqual([400, "VALIDATION_ERROR", field]);
	});

	it("holds at most 100 entries per range", async () => {
		for (let i = 0; i < 100; i++) expect((await safe({ phone: `+1415555${String(1000 + i)}` })).status).toBe(200);
		const full = await safe({ phone: "+14155551100" });
		expect([full.status, full.body.code, full.body.field]).toEqual([400, "VALIDATION_ERROR", "phone"]);
		expect((await safe({ phone: "+14155551000" })).body).toMatchObject({ changed: false });
	});
});
