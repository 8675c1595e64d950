import { describe, expect, it } from "vitest";
import { bucketRange, bucketStart, rate } from "../../src/admin/buckets";

const at = (iso: string) => Date.parse(iso);

describe("the console's buckets", () => {
	it("hours and days start on the UTC hour and day", () => {
		expect(bucketStart(at("2031-03-10T12:59:59.999Z"), "hour")).toBe(at("2031-03-10T12:00:00Z"));
		expect(bucketStart(at("2031-03-10T13:00:00Z"), "hour")).toBe(at("2031-03-10T13:00:00Z"));
		expect(bucketStart(at("2031-03-10T23:59:59.999Z"), "day")).toBe(at("2031-03-10T00:00:00Z"));
	});

	it("weeks start on Monday 00:00 UTC, whatever the day of the week", () => {
		// 2031-03-10 is a Monday.
		for (const day of ["10", "11", "13", "16"])
			expect(bucketStart(at(`2031-03-${day}T18:00:00Z`), "week")).toBe(at("2031-03-10T00:00:00Z"));
		expect(bucketStart(at("2031-03-09T23:59:59.999Z"), "week")).toBe(at("2031-03-03T00:00:00Z"));
		expect(new Date(bucketStart(at("1999-12-31T12:00:00Z"), "week")).getUTCDay()).toBe(1);
	});

	it("a range of n buckets ends with the one holding now", () => {
		const { from, to, starts } = bucketRange(at("2031-03-10T12:30:00Z"), "hour", 3);
		expect([from, to]).toEqual([at("2031-03-10T10:00:00Z"), at("2031-03-10T13:00:00Z")]);
		expect(starts).toEqual([at("2031-03-10T10:00:00Z"), at("2031-03-10T11:00:00Z"), at("2031-03-10T12:00:00Z")]);
	});

	it("rates have four decimals and are null without a whole", () => {
		expect(rate(1, 3)).toBe(0.3333);
		expect(rate(0, 0)).toBeNull();
	});
});
