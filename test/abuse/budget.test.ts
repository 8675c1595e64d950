import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { reserveSms } from "../../src/abuse/budget";
import { type Buckets, forgetAt, giveBack, prune, take, total } from "../../src/abuse/counter-rules";
import type { Config, SmsPolicy } from "../../src/config/config";
import { type Phone, phoneOf } from "../../src/phone/parse";
import { moveObjectClock } from "../support/objects";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** A minute boundary. */
const B0 = Date.UTC(2030, 0, 1);
const minuteOf = (ms: number) => String(Math.floor(ms / MINUTE));

/** Takes `n` SMS at `now` under `limit`, failing the test on a refusal. */
function takeN(buckets: Buckets, n: number, now: number, limit: number): Buckets {
	let b = buckets;
	for (let i = 0; i < n; i++) {
		const r = take(b, now, limit);
		expect(r.retryAfter).toBeNull();
		b = r.buckets;
	}
	return b;
}

describe("budget rules", () => {
	it("counts in minute buckets and refuses at the limit", () => {
		const b = takeN({}, 3, B0 + 5_000, 3);
		expect(b).toEqual({ [minuteOf(B0)]: 3 });
		expect(take(b, B0 + 5_000, 3)).toEqual({ buckets: b, retryAfter: 3595 });
		expect(take(b, B0 + 5_000, 4).retryAfter).toBeNull();
	});

	it("is a rolling hour: the oldest bucket frees its share when it leaves the window", () => {
		let b = takeN({}, 1, B0, 2);
		b = takeN(b, 1, B0 + 30 * MINUTE, 2);
		expect(take(b, B0 + 40 * MINUTE, 2).retryAfter).toBe(20 * 60);
		expect(take(b, B0 + HOUR - 1, 2).retryAfter).toBe(1);
		const freed = take(b, B0 + HOUR, 2);
		expect(freed.retryAfter).toBeNull();
		expect(freed.buckets).toEqual({ [minuteOf(B0 + 30 * MINUTE)]: 1, [minuteOf(B0 + HOUR)]: 1 });
	});

	it("gives back one SMS of the bucket it was taken in, dropping an emptied bucket", () => {
		const b = takeN(takeN({}, 2, B0, 10), 1, B0 + MINUTE, 10);
		expect(giveBack(b, B0 + 59_000)).toEqual({ [minuteOf(B0)]: 1, [minuteOf(B0 + MINUTE)]: 1 });
		expect(giveBack(b, B0 + MINUTE)).toEqual({ [minuteOf(B0)]: 2 });
		// A bucket already gone (pruned) gives nothing back, and never goes negative.
		expect(giveBack(b, B0 - HOUR)).toBe(b);
	});

	it("prunes buckets out of the window and totals the rest", () => {
		const b = { [minuteOf(B0)]: 4, [minuteOf(B0 + 30 * MINUTE)]: 2 };
		expect(total(b)).toBe(6);
		expect(prune(b, B0 + HOUR - 1)).toEqual(b);
		expect(prune(b, B0 + HOUR)).toEqual({ [minuteOf(B0 + 30 * MINUTE)]: 2 });
		expect(prune(b, B0 + 90 * MINUTE)).toEqual({});
	});

	it("forgets everything an hour after the newest bucket; 0 when empty", () => {
		expect(forgetAt({})).toBe(0);
		expect(forgetAt({ [minuteOf(B0)]: 1, [minuteOf(B0 + 30 * MINUTE + 10_000)]: 1 })).toBe(B0 + 90 * MINUTE);
	});
});

let scopes = 0;
/** A budget object no other test touches. */
function freshBudget() {
	const stub = env.COUNTERS.get(env.COUNTERS.idFromName(`unit:${++scopes}`));
	return {
		stub,
		setClock: (ms: number) => moveObjectClock(stub, ms),
		stored: () =>
			runInDurableObject(stub, async (_, state) => ({
				keys: [...(await state.storage.list()).keys()],
				buckets: (await state.storage.get<Buckets>("buckets")) ?? {},
				alarm: await state.storage.getAlarm(),
			})),
	};
}

describe("RollingCounter object", () => {
	it("takes until the limit, then says how long to wait", async () => {
		const b = freshBudget();
		await b.setClock(B0);
		for (let i = 0; i < 3; i++) expect(await b.stub.take(3)).toEqual({ at: B0, used: i + 1 });
		expect(await b.stub.take(3)).toEqual({ retryAfter: 3600 });
		await b.setClock(B0 + 10 * MINUTE);
		expect(await b.stub.take(3)).toEqual({ retryAfter: 3000 });
		expect(await b.stored()).toMatchObject({ buckets: { [minuteOf(B0)]: 3 }, alarm: B0 + HOUR });
		await b.setClock(B0 + HOUR);
		expect(await b.stub.take(3)).toEqual({ at: B0 + HOUR, used: 1 });
	});

	it("an SMS given back can be taken again; the last one given back leaves no storage", async () => {
		const b = freshBudget();
		await b.setClock(B0);
		const first = await b.stub.take(1);
		expect(first).toMatchObject({ at: B0 });
		expect(await b.stub.take(1)).toHaveProperty("retryAfter");
		await b.stub.giveBack(B0);
		expect((await b.stored()).keys).toEqual([]);
		expect(await b.stub.take(1)).toMatchObject({ at: B0 });
	});

	it("its alarm prunes what left the window and deletes everything once nothing is left", async () => {
		const b = freshBudget();
		await b.setClock(B0);
		await b.stub.take(10);
		await b.setClock(B0 + 30 * MINUTE);
		await b.stub.take(10);
		expect(await b.stored()).toMatchObject({ keys: ["buckets"], alarm: B0 + 90 * MINUTE });

		await b.setClock(B0 + HOUR);
		expect(await runDurableObjectAlarm(b.stub)).toBe(true);
		expect(await b.stored()).toMatchObject({ buckets: { [minuteOf(B0 + 30 * MINUTE)]: 1 }, alarm: B0 + 90 * MINUTE });

		await b.setClock(B0 + 90 * MINUTE);
		expect(await runDurableObjectAlarm(b.stub)).toBe(true);
		expect(await b.stored()).toEqual({ keys: [], buckets: {}, alarm: null });
		// Forgotten for good: a full new hour is available.
		expect(await b.stub.take(1)).toMatchObject({ at: B0 + 90 * MINUTE });
	});
});

describe("reserveSms", () => {
	afterEach(() => vi.restoreAllMocks());

	let prefixes = 0;
	/** An env whose COUNTERS scopes (`global`, `cc:…`) are this test's own objects. */
	function isolated() {
		const prefix = `reserve${++prefixes}:`;
		const stubOf = (scope: string) => env.COUNTERS.get(env.COUNTERS.idFromName(prefix + scope));
		const fakeEnv = {
			COUNTERS: {
				idFromName: (name: string) => env.COUNTERS.idFromName(prefix + name),
				get: (id: DurableObjectId) => env.COUNTERS.get(id),
			},
		} as unknown as Env;
		const count = (scope: string) =>
			runInDurableObject(stubOf(scope), async (_, state) => total((await state.storage.get<Buckets>("buckets")) ?? {}));
		return { fakeEnv, count };
	}

	const policy = (budgetPerHour: number, budgetPerCountryPerHour: number): SmsPolicy => ({
		allowedCountries: [],
		blockedCountries: [],
		budgetPerHour,
		budgetPerCountryPerHour,
		testNumbers: new Map(),
	});

	/** The budgets alone: no reserve held back. */
	const reserve = (e: Env, p: SmsPolicy, phone: Phone) =>
		reserveSms(e, { smsPolicy: p, protection: { budgetReserve: 0 } as Config["protection"] }, phone);

	it("takes one SMS from the global budget and one from the calling code's", async () => {
		const { fakeEnv, count } = isolated();
		const r = await reserve(fakeEnv, policy(5, 5), phoneOf("+442079460958"));
		expect(r).toHaveProperty("release");
		expect([await count("global"), await count("cc:44"), await count("cc:1")]).toEqual([1, 1, 0]);
		await (r as { release(): Promise<void> }).release();
		expect([await count("global"), await count("cc:44")]).toEqual([0, 0]);
	});

	it("0 means unlimited: nothing is taken from that budget", async () => {
		const { fakeEnv, count } = isolated();
		for (let i = 0; i < 3; i++)
			expect(await reserve(fakeEnv, policy(0, 0), phoneOf("+14155552671"))).toHaveProperty("release");
		expect([await count("global"), await count("cc:1")]).toEqual([0, 0]);
		// Unlimited globally, limited per calling code: only the country's budget counts.
		for (let i = 0; i < 2; i++)
			expect(await reserve(fakeEnv, policy(0, 2), phoneOf("+33612345678"))).toHaveProperty("release");
		expect([await count("global"), await count("cc:33")]).toEqual([0, 2]);
	});

	it("refuses with SMS_BUDGET_EXHAUSTED once the global budget is spent, logged as an error", async () => {
		const { fakeEnv, count } = isolated();
		const errors = vi.spyOn(console, "error").mockImplementation(() => {});
		await reserve(fakeEnv, policy(1, 5), phoneOf("+14155552671"));
		const refused = await reserve(fakeEnv, policy(1, 5), phoneOf("+33612345678"));
		expect(refused).toMatchObject({ ok: false, code: "SMS_BUDGET_EXHAUSTED" });
		expect((refused as { retryAfter: number }).retryAfter).toBeGreaterThan(3500);
		// The country budget was never asked.
		expect([await count("global"), await count("cc:1"), await count("cc:33")]).toEqual([1, 1, 0]);
		const line = JSON.parse(String(errors.mock.calls.at(-1)?.[0]));
		expect(line).toEqual({
			level: "error",
			event: "sms_budget_exhausted",
			reason: "budget",
			scope: "global",
			limit: 1,
			knownGood: false,
			callingCode: "33",
			phone: "+3361***5678",
		});
	});

	it("a spent country budget refuses and gives the global SMS back", async () => {
		const { fakeEnv, count } = isolated();
		vi.spyOn(console, "error").mockImplementation(() => {});
		expect(await reserve(fakeEnv, policy(10, 1), phoneOf("+442079460958"))).toHaveProperty("release");
		const refused = await reserve(fakeEnv, policy(10, 1), phoneOf("+447700900001"));
		expect(refused).toMatchObject({ ok: false, code: "SMS_BUDGET_EXHAUSTED" });
		expect([await count("global"), await count("cc:44")]).toEqual([1, 1]);
		// Other calling codes still get theirs.
		expect(await reserve(fakeEnv, policy(10, 1), phoneOf("+14155552671"))).toHaveProperty("release");
		expect([await count("global"), await count("cc:1")]).toEqual([2, 1]);
	});
});
