import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { customerCount, uniquePhone } from "../support/api";
import { counterStub, counterTotal, moveObjectClock, setClock, storedChallenge, storedMarks } from "../support/objects";
import { lastCode, smsTo } from "../support/outbox";
import { registrationIdOf, sendOtp, verifyOtp } from "../support/registration";

const AREA = "631";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2030, 0, 1);
/** The per-calling-code limit of the test bindings (the default). */
const COUNTRY_LIMIT = 200;
/** What a registration may use of it: the rest (SMS_BUDGET_RESERVE_PERCENT, 20) is kept for known-good traffic. */
const COUNTRY_SHARE = 160;
/** A test number of the bindings: fixed code, never texted. */
const TEST_UK = "+447700900123";

async function setBudgetClock(scope: string, ms: number): Promise<void> {
	await moveObjectClock(counterStub(scope), ms);
}

/** Spends the whole budget of `scope` at `at` (a minute boundary), then moves its clock to `now`. */
async function exhaust(scope: string, at: number, now: number): Promise<void> {
	await setBudgetClock(scope, at);
	await runInDurableObject(counterStub(scope), async (instance) => {
		for (let i = 0; i < COUNTRY_LIMIT; i++) expect(await instance.take(COUNTRY_LIMIT)).toMatchObject({ at });
		expect(await instance.take(COUNTRY_LIMIT)).toHaveProperty("retryAfter");
	});
	await setBudgetClock(scope, now);
}

// Each test spends "cc:44" on a day of its own, so what one leaves behind is out of the next one's window.
let day = 0;
const nextDay = () => T0 + ++day * DAY;

let uk = 0;
/** A London number no other test uses. */
const ukPhone = () => `+4420794${String(61000 + ++uk)}`;

/**
 * A London number that got one code an hour before T0 (on its own clock), then left at T0; and the
 * day on which to spend "cc:44" next. Its history is what a refused send must leave as it was.
 */
async function ukPhoneWithHistory(): Promise<{ phone: string; at: number }> {
	const at = nextDay();
	// Hours before `at`: whatever an earlier test left in "cc:44" is out of the window.
	await setBudgetClock("cc:44", at - 2 * HOUR);
	const phone = ukPhone();
	await setClock(phone, T0 - HOUR);
	expect((await sendOtp(phone)).status).toBe(200);
	await setClock(phone, T0);
	return { phone, at };
}

describe("SMS budget over HTTP", () => {
	afterEach(() => vi.restoreAllMocks());

	it("a spent calling-code budget answers 503 with Retry-After, texts nothing and keeps no cooldown", async () => {
		const errors = vi.spyOn(console, "error").mockImplementation(() => {});
		const { phone, at } = await ukPhoneWithHistory();
		const earlier = registrationIdOf(phone);
		await exhaust("cc:44", at, at + 10 * MINUTE);
		const globalBefore = await counterTotal("global");

		const res = await sendOtp(phone);
		expect(res.status).toBe(503);
		expect(res.headers.get("Retry-After")).toBe("3000");
		expect(await res.json()).toMatchObject({ success: false, code: "SMS_BUDGET_EXHAUSTED", retryAfter: 3000 });
		expect(await smsTo(phone)).toHaveLength(1); // the one of an hour ago
		// The global SMS taken first was given back.
		expect(await counterTotal("global")).toBe(globalBefore);
		// The refused send started no registration (the latest is still the earlier, now expired one),
		// and it is neither counted nor a cooldown.
		expect(await storedChallenge(phone)).toMatchObject({ id: earlier, last_sent_at: T0 - HOUR, generation: 1 });
		expect(await storedMarks(phone, "send")).toEqual([T0 - HOUR]);
		expect(errors.mock.calls.map((c) => JSON.parse(String(c[0])))).toContainEqual(
			expect.objectContaining({ event: "sms_budget_exhausted", scope: "cc:44", limit: COUNTRY_SHARE }),
		);

		// Once the budget frees, an immediate retry (same phone clock, no cooldown) goes out.
		await setBudgetClock("cc:44", at + 60 * MINUTE);
		const retry = await sendOtp(phone);
		expect(retry.status).toBe(200);
		expect(await smsTo(phone)).toHaveLength(2);
		expect(await counterTotal("global")).toBe(globalBefore + 1);
		expect(await storedMarks(phone, "send")).toEqual([T0 - HOUR, T0]);
		// A new registration: the earlier one had expired.
		expect(await storedChallenge(phone)).toMatchObject({ last_sent_at: T0, generation: 1 });
		expect((await storedChallenge(phone))?.id).not.toBe(earlier);
		expect((await verifyOtp(phone, await lastCode(phone))).status).toBe(201);
	});

	it("counts down Retry-After with the budget's clock", async () => {
		vi.spyOn(console, "error").mockImplementation(() => {});
		const { phone, at } = await ukPhoneWithHistory();
		await exhaust("cc:44", at, at + 59 * MINUTE + 30_000);
		const res = await sendOtp(phone);
		expect(res.status).toBe(503);
		expect(res.headers.get("Retry-After")).toBe("30");
	});

	it("a spent +44 budget leaves +1 numbers alone", async () => {
		vi.spyOn(console, "error").mockImplementation(() => {});
		const { phone: uk, at } = await ukPhoneWithHistory();
		await exhaust("cc:44", at, at + MINUTE);
		const us = uniquePhone(AREA);
		const res = await sendOtp(us);
		expect(res.status).toBe(200);
		expect(await smsTo(us)).toHaveLength(1);
		// …while +44 is still refused.
		expect((await sendOtp(uk)).status).toBe(503);
	});

	it("a test number still works while its country's budget is spent, and takes nothing from it", async () => {
		const at = nextDay();
		await exhaust("cc:44", at, at + MINUTE);
		const globalBefore = await counterTotal("global");
		const customers = await customerCount();

		const res = await sendOtp(TEST_UK);
		expect(res.status).toBe(200);
		expect(await smsTo(TEST_UK)).toEqual([]);
		expect(await counterTotal("cc:44")).toBe(COUNTRY_LIMIT);
		expect(await counterTotal("global")).toBe(globalBefore);

		expect((await verifyOtp(TEST_UK, "654321")).status).toBe(201);
		expect(await customerCount()).toBe(customers + 1);
	});

	// A refused first send holds nothing: no row, no alarm may stay behind (an attack tries fresh numbers).
	it("a refused first send leaves nothing stored for a fresh phone", async () => {
		vi.spyOn(console, "error").mockImplementation(() => {});
		const at = nextDay();
		await exhaust("cc:44", at, at + MINUTE);
		const phone = ukPhone();
		await setClock(phone, T0);
		expect((await sendOtp(phone)).status).toBe(503);
		expect(await storedChallenge(phone)).toBeNull();
		expect(await storedMarks(phone, "send")).toEqual([]);
	});
});
