import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config";
import { customerCount } from "../support/api";
import { configErrorMessage as configError, development, production } from "../support/config-fixtures";
import { setClock, storedChallenge, storedMarks } from "../support/objects";
import { smsTo } from "../support/outbox";
import { resendOtp, sendOtp, verifyOtp } from "../support/registration";

/** A test number of the bindings, with its fixed code. */
const TEST_US = "+15005550199";
const TEST_US_CODE = "123456";
const T0 = Date.UTC(2030, 0, 1);

describe("TEST_PHONE_NUMBERS", () => {
	it("is empty by default", () => {
		expect(parseConfig(development()).smsPolicy.testNumbers).toEqual(new Map());
		expect(parseConfig(development({ TEST_PHONE_NUMBERS: " , " })).smsPolicy.testNumbers.size).toBe(0);
	});

	it("reads comma-separated +E164:code pairs, ignoring blanks", () => {
		const { testNumbers } = parseConfig(
			development({ TEST_PHONE_NUMBERS: " +15005550199:123456 ,, +447700900123:654321," }),
		).smsPolicy;
		expect(testNumbers).toEqual(
			new Map([
				["+15005550199", "123456"],
				["+447700900123", "654321"],
			]),
		);
	});

	it("keys a number as the phone field normalises it, so a trunk 0 written in still matches", () => {
		const { testNumbers } = parseConfig(development({ TEST_PHONE_NUMBERS: "+4407700900123:654321" })).smsPolicy;
		expect(testNumbers).toEqual(new Map([["+447700900123", "654321"]]));
	});

	it.each([
		"15005550199:123456",
		"+15005550199",
		"+15005550199:12345",
		"+15005550199:1234567",
		"+15005550199:12345a",
		"+1500:123456",
		"+05005550199:123456",
		"+15005550199 123456",
		"+15005550199:123456:1",
	])("refuses the malformed pair %j, naming the variable", (pair) => {
		const message = configError(development({ TEST_PHONE_NUMBERS: `+447700900123:654321,${pair}` }));
		expect(message).toContain("TEST_PHONE_NUMBERS");
		expect(message).toContain("+E164:123456");
	});

	it("is refused in production unless ALLOW_TEST_PHONE_NUMBERS_IN_PRODUCTION=true", () => {
		const numbers = { TEST_PHONE_NUMBERS: "+15005550199:123456" };
		expect(configError(production(numbers))).toMatch(/TEST_PHONE_NUMBERS is refused in production/);
		expect(configError(production({ ...numbers, ALLOW_TEST_PHONE_NUMBERS_IN_PRODUCTION: "false" }))).toMatch(
			/TEST_PHONE_NUMBERS is refused in production/,
		);
		const allowed = parseConfig(production({ ...numbers, ALLOW_TEST_PHONE_NUMBERS_IN_PRODUCTION: "true" }));
		expect(allowed.smsPolicy.testNumbers.get("+15005550199")).toBe("123456");
		// Without test numbers, production needs no such flag.
		expect(parseConfig(production()).smsPolicy.testNumbers.size).toBe(0);
	});

	it("ALLOW_TEST_PHONE_NUMBERS_IN_PRODUCTION takes only true or false", () => {
		expect(configError(development({ ALLOW_TEST_PHONE_NUMBERS_IN_PRODUCTION: "yes" }))).toContain(
			"ALLOW_TEST_PHONE_NUMBERS_IN_PRODUCTION must be true or false",
		);
	});
});

/** What the RollingCounter object of `scope` keeps in storage. */
async function budgetKeys(scope: string): Promise<string[]> {
	return runInDurableObject(env.COUNTERS.get(env.COUNTERS.idFromName(scope)), async (_, state) => [
		...(await state.storage.list()).keys(),
	]);
}

// These tests share one number and run in order: a burned code, a resend, a registration.
describe("a test number over HTTP", () => {
	it("gets no SMS, and wrong codes count against it as against any number", async () => {
		await setClock(TEST_US, T0);
		const sent = await sendOtp(TEST_US);
		expect(sent.status).toBe(200);
		expect(await smsTo(TEST_US)).toEqual([]);

		const first = await verifyOtp(TEST_US, "000000");
		expect(first.status).toBe(400);
		expect(await first.json()).toMatchObject({ code: "OTP_INVALID", attemptsRemaining: 2 });
		expect((await verifyOtp(TEST_US, "111111")).status).toBe(400);
		expect((await verifyOtp(TEST_US, "222222")).status).toBe(429);
		// Burned: even the fixed code no longer works.
		const fixed = await verifyOtp(TEST_US, TEST_US_CODE);
		expect(await fixed.json()).toMatchObject({ code: "OTP_TOO_MANY_ATTEMPTS" });
		expect(await storedChallenge(TEST_US)).toMatchObject({ status: "burned", attempts: 3 });
		expect(await storedMarks(TEST_US, "fail")).toEqual([T0, T0, T0]);
	});

	it("is under the same cooldown, and a resend issues the same fixed code, again without an SMS", async () => {
		await setClock(TEST_US, T0 + 10_000);
		expect((await resendOtp(TEST_US)).status).toBe(429);
		await setClock(TEST_US, T0 + 31_000);
		expect((await resendOtp(TEST_US)).status).toBe(200);
		expect(await smsTo(TEST_US)).toEqual([]);
	});

	it("verifies with its fixed code and creates the customer", async () => {
		const before = await customerCount();
		const res = await verifyOtp(TEST_US, TEST_US_CODE);
		expect(res.status).toBe(201);
		expect(await res.json()).toMatchObject({ success: true, customerId: expect.any(Number) });
		expect(await customerCount()).toBe(before + 1);
		const row = await env.DB.prepare("SELECT phone FROM customers WHERE phone = ?").bind(TEST_US).first();
		expect(row).toEqual({ phone: TEST_US });
	});

	it("never touched an SMS budget", async () => {
		expect(await budgetKeys("global")).toEqual([]);
		expect(await budgetKeys("cc:1")).toEqual([]);
	});
});
