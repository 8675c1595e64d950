import { describe, expect, it } from "vitest";
import { phoneOf } from "../../src/phone/parse";
import { readPrefix } from "../../src/phone/range";

describe("readPrefix: a prefix an operator typed", () => {
	it("names the range a number of that prefix would be in, as Phone.range does", () => {
		expect(readPrefix("+1 876")).toEqual({ prefix: "+1876", range: "+1876", callingCode: "1" });
		expect(readPrefix("+1 (876) 555")).toEqual({ prefix: "+1876555", range: "+1876", callingCode: "1" });
		expect(readPrefix("+44 0740")).toEqual({ prefix: "+44740", range: "+44740", callingCode: "44" });
		expect(readPrefix("+882 161")).toEqual({ prefix: "+882161", range: "+882161", callingCode: "882" });
		for (const number of ["+18765550123", "+447400123456", "+390612345678", "+88216123456"])
			expect(readPrefix(number)?.range).toBe(phoneOf(number).range);
	});

	it.each(["+1", "+44", "+4474", "1876", "+999123", "+0123", "", "+1876abc", "+1234567890123456"])(
		"reads %j as nothing: no calling code, or not a whole range",
		(text) => {
			expect(readPrefix(text)).toBeNull();
		},
	);
});
