import { describe, expect, it } from "vitest";
import { RefusalTally } from "../../src/abuse/refusal-tally";

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const HOUR = 3_600_000;
const key = (reason: string, callingCode = "1", observed = false) => ({ reason, callingCode, observed });

describe("the in-memory tally of refusals", () => {
	it("counts per hour, reason, calling code and observed", () => {
		const tally = new RefusalTally();
		tally.add(key("budget"), T0);
		tally.add(key("budget"), T0 + 59 * 60_000);
		tally.add(key("budget", "44"), T0);
		tally.add(key("budget", "1", true), T0);
		tally.add(key("range_throttled"), T0);
		tally.add(key("budget"), T0 + HOUR);
		expect(tally.drain()).toEqual([
			{ hour: T0, reason: "budget", callingCode: "1", observed: false, count: 2 },
			{ hour: T0, reason: "budget", callingCode: "44", observed: false, count: 1 },
			{ hour: T0, reason: "budget", callingCode: "1", observed: true, count: 1 },
			{ hour: T0, reason: "range_throttled", callingCode: "1", observed: false, count: 1 },
			{ hour: T0 + HOUR, reason: "budget", callingCode: "1", observed: false, count: 1 },
		]);
		expect(tally.size).toBe(0);
		expect(tally.drain()).toEqual([]);
	});

	it("is due once its oldest count is 10 s old, or once it holds 100 keys", () => {
		const tally = new RefusalTally();
		expect(tally.due(T0)).toBe(false);
		tally.add(key("budget"), T0);
		for (let i = 0; i < 50; i++) tally.add(key("budget"), T0 + 9_000);
		expect(tally.due(T0 + 9_999)).toBe(false);
		expect(tally.due(T0 + 10_000)).toBe(true);
		tally.drain();
		expect(tally.due(T0 + 60_000)).toBe(false);

		for (let i = 0; i < 99; i++) tally.add(key("budget", String(i)), T0);
		expect(tally.due(T0)).toBe(false);
		tally.add(key("budget", "99"), T0);
		expect(tally.due(T0)).toBe(true);
	});

	it("takes back what a failed write drained, and tries again 10 s later", () => {
		const tally = new RefusalTally();
		tally.add(key("country", "53"), T0);
		const drained = tally.drain();
		tally.add(key("country", "53"), T0 + 20_000);
		tally.restore(drained, T0 + 20_000);
		expect(tally.due(T0 + 25_000)).toBe(false);
		expect(tally.due(T0 + 30_000)).toBe(true);
		expect(tally.drain()).toEqual([{ hour: T0, reason: "country", callingCode: "53", observed: false, count: 2 }]);
	});

	it("holds at most 1000 keys, whatever an outage leaves behind", () => {
		const tally = new RefusalTally();
		for (let i = 0; i < 1500; i++) tally.add(key("budget", String(i)), T0);
		expect(tally.size).toBe(1000);
		tally.add(key("budget", "0"), T0);
		expect(tally.drain().find((c) => c.callingCode === "0")?.count).toBe(2);
	});
});
