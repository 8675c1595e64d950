import { describe, expect, it } from "vitest";
import { phoneOf } from "../../src/phone/parse";
import { DUMMY_TOKEN, TEST_SECRETS } from "../support/fake-turnstile";
import { smsTo } from "../support/outbox";
import { nanpNumbers, strangers } from "../support/ranges";
import { clientOn } from "../support/registration";
import { TURNSTILE_VERIFY_URL } from "../support/turnstile";

const nanp = nanpNumbers();

/** Turnstile in mode pressure, and the shipped room of the range guard. */
const PRESSURE = {
	TURNSTILE_SECRET_KEY: TEST_SECRETS.pass,
	TURNSTILE_SITE_KEY: "1x00000000000000000000AA",
	TURNSTILE_VERIFY_URL,
	TURNSTILE_MODE: "pressure",
	SMS_RANGE_UNVERIFIED: "10",
	SMS_BLOCK_UNVERIFIED: "3",
	SMS_RANGE_UNVERIFIED_MAX: "100",
};
const SOLVED = { "cf-turnstile-response": DUMMY_TOKEN };

const stranger = strangers(PRESSURE);

describe("Turnstile in mode pressure", () => {
	it("asks for a challenge only once a range is throttled; a solved one gets through, with more room", async () => {
		for (let i = 0; i < 10; i++) expect((await stranger().send(nanp("284"))).status).toBe(200);
		const phone = nanp("284");
		const asked = await stranger().send(phone);
		expect(asked.status).toBe(403);
		expect(await asked.json()).toMatchObject({ code: "CAPTCHA_REQUIRED", field: "cf-turnstile-response" });
		expect(await smsTo(phone)).toEqual([]);

		const person = clientOn("198.51.100.30", PRESSURE);
		expect((await person.send(phone, SOLVED)).status).toBe(200);
		expect(await smsTo(phone)).toHaveLength(1);
	});

	it("asks for a challenge past SMS_CHALLENGE_AT_PERCENT of a budget, never below it", async () => {
		// +49: a calling code of this test alone; a budget of 4, a challenge from half of it.
		const vars = { SMS_BUDGET_PER_COUNTRY_PER_HOUR: "4", SMS_BUDGET_RESERVE_PERCENT: "0" };
		let seq = 0;
		const germany = () => `+49151${String(1_000_000 + ++seq * 7919).slice(-7)}1`;
		expect((await stranger(vars).send(germany())).status).toBe(200);
		const second = await stranger(vars).send(germany());
		expect(second.status).toBe(403);
		expect(await second.json()).toMatchObject({ code: "CAPTCHA_REQUIRED" });
		// The refused send took nothing: a human gets the second unit, then the third.
		expect((await stranger(vars).send(germany(), SOLVED)).status).toBe(200);
		expect((await stranger(vars).send(germany(), SOLVED)).status).toBe(200);
	});

	it("asks nothing in mode always, where every send proved a human up front (twice the room)", async () => {
		const always = { ...PRESSURE, TURNSTILE_MODE: "always" };
		for (let i = 0; i < 20; i++) expect((await stranger(always).send(nanp("649"), SOLVED)).status).toBe(200);
		const res = await stranger(always).send(nanp("649"), SOLVED);
		expect(res.status).toBe(429);
		expect(await res.json()).toMatchObject({ code: "SMS_RANGE_THROTTLED" });
	});
});
