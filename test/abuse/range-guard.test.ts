import { afterEach, describe, expect, it, vi } from "vitest";
import { phoneOf } from "../../src/phone/parse";
import { captureLogs } from "../support/log-capture";
import { counterTotal, storedChallenge } from "../support/objects";
import { failNextSms, lastCode, smsTo } from "../support/outbox";
import { nanpNumbers, SHIPPED_ROOM, strangers } from "../support/ranges";
import { clientOn } from "../support/registration";

const nanp = nanpNumbers();

const SHIPPED = SHIPPED_ROOM;

const stranger = strangers(SHIPPED);

afterEach(() => vi.restoreAllMocks());

describe("the range guard against pumping on the users' own calling code", () => {
	it("throttles a pumped area code after ten unverified sends, while a person on another area code registers", async () => {
		const answers: number[] = [];
		const pumped: string[] = [];
		for (let i = 0; i < 14; i++) {
			const phone = nanp("876");
			pumped.push(phone);
			answers.push((await stranger().send(phone)).status);
		}
		expect(answers.slice(0, 10)).toEqual(Array(10).fill(200));
		expect(answers.slice(10)).toEqual([429, 429, 429, 429]);
		const refused = await stranger().send(nanp("876"));
		expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
		expect(await refused.json()).toMatchObject({ code: "SMS_RANGE_THROTTLED" });
		// Nothing was texted to the refused numbers, and their objects hold nothing.
		for (const phone of pumped.slice(10)) {
			expect(await smsTo(phone)).toEqual([]);
			expect(await storedChallenge(phone)).toBeNull();
		}

		// Someone else, on a network of their own, on the same calling code.
		const person = clientOn("198.51.100.7", SHIPPED);
		const phone = nanp("415");
		expect((await person.send(phone)).status).toBe(200);
		expect((await person.verify(phone, await lastCode(phone))).status).toBe(201);
	});

	it("throttles one block after three unverified sends, and a verified code frees its room at once", async () => {
		const phones = [0, 1, 2, 3].map(() => nanp("650", "555"));
		const owner = clientOn("198.51.100.8", SHIPPED);
		for (const phone of phones.slice(0, 3)) expect((await stranger().send(phone)).status).toBe(200);
		const fourth = await owner.send(phones[3] as string);
		expect(fourth.status).toBe(429);
		expect(await fourth.json()).toMatchObject({ code: "SMS_RANGE_THROTTLED" });

		// One of the three was real: its code is verified.
		const first = phones[0] as string;
		expect((await stranger().verify(first, await lastCode(first), null)).status).toBe(201);
		expect((await owner.send(phones[3] as string)).status).toBe(200);
	});

	it("under SMS_PROTECTION=observe, refuses nothing and logs what it would have refused, without the number", async () => {
		const logs = captureLogs();
		const statuses: number[] = [];
		for (let i = 0; i < 12; i++)
			statuses.push((await stranger({ SMS_PROTECTION: "observe" }).send(nanp("473"))).status);
		expect(statuses).toEqual(Array(12).fill(200));
		const would = logs.events("sms_would_refuse");
		expect(would).toHaveLength(2);
		expect(would[0]).toMatchObject({ level: "warn", reason: "range_throttled", range: "+1473", callingCode: "1" });
		expect(String(would[0]?.phone)).toMatch(/^\+1473\*\*\*\d{4}$/);
	});

	it("never throttles a range of SMS_SAFE_RANGES", async () => {
		const statuses: number[] = [];
		for (let i = 0; i < 12; i++) statuses.push((await stranger({ SMS_SAFE_RANGES: "+1345" }).send(nanp("345"))).status);
		expect(statuses).toEqual(Array(12).fill(200));
	});
});

describe("the budgets count what pumping costs: unverified SMS", () => {
	it("a verified code gives its SMS back to both budgets", async () => {
		const person = clientOn("198.51.100.20", SHIPPED);
		const phone = nanp("907");
		const before = [await counterTotal("global"), await counterTotal("cc:1")];
		expect((await person.send(phone)).status).toBe(200);
		expect([await counterTotal("global"), await counterTotal("cc:1")]).toEqual(before.map((n) => n + 1));
		expect((await person.verify(phone, await lastCode(phone))).status).toBe(201);
		expect([await counterTotal("global"), await counterTotal("cc:1")]).toEqual(before);
	});

	it("an SMS Twilio refused (21211, not a mobile number) takes nothing from the budgets", async () => {
		const person = clientOn("198.51.100.21", SHIPPED);
		const phone = nanp("808");
		const before = await counterTotal("cc:1");
		await failNextSms(phone, 400, 21211);
		expect((await person.send(phone)).status).toBe(400);
		expect(await counterTotal("cc:1")).toBe(before);
	});

	it("keeps a reserve of each budget that registrations cannot spend and a registered customer's reset can", async () => {
		// +33: a calling code no other test here uses. A budget of 5: registrations may use 4 of it.
		const vars = { ...SHIPPED, SMS_BUDGET_PER_COUNTRY_PER_HOUR: "5" };
		// A block (+33 and five digits) of its own for each number.
		let seq = 0;
		const france = () => `+336${String(++seq % 100).padStart(2, "0")}123456`;
		const owner = clientOn("198.51.100.22", vars);
		const customer = { phone: france() };
		expect((await owner.send(customer.phone)).status).toBe(200);
		expect((await owner.verify(customer.phone, await lastCode(customer.phone))).status).toBe(201);
		for (let i = 0; i < 4; i++) expect((await stranger(vars).send(france())).status).toBe(200);
		const refused = await stranger(vars).send(france());
		expect(refused.status).toBe(503);
		expect(await refused.json()).toMatchObject({ code: "SMS_BUDGET_EXHAUSTED" });

		const sent = (await smsTo(customer.phone)).length;
		expect((await owner.sendReset(customer.phone)).status).toBe(200);
		expect(await smsTo(customer.phone)).toHaveLength(sent + 1);
	});
});
