import { describe, expect, it } from "vitest";
import { phoneOf } from "../../src/phone/parse";
import { type PhoneRules, phoneProblem } from "../../src/phone/validity";

const rules = (validation: PhoneRules["validation"], testNumbers: string[] = []): PhoneRules => ({
	validation,
	testNumbers: new Map(testNumbers.map((n) => [n, "123456"])),
});

/** Valid in the US. */
const VALID = "+14155552671";
/** Of a possible length, but no NANP exchange starts with 0. */
const POSSIBLE = "+14150001234";
/** Too short for NANP. */
const IMPOSSIBLE = "+1415555267";
/** No plan knows +999. */
const UNKNOWN = "+999123456789";

describe("phoneProblem", () => {
	it("PHONE_VALIDATION=valid accepts only valid numbers", () => {
		expect(phoneProblem(phoneOf(VALID), rules("valid"))).toBeNull();
		for (const n of [POSSIBLE, IMPOSSIBLE, UNKNOWN])
			expect(phoneProblem(phoneOf(n), rules("valid"))).toBe("is not a valid phone number for its country");
	});

	it("PHONE_VALIDATION=possible accepts numbers of a possible length", () => {
		expect(phoneProblem(phoneOf(VALID), rules("possible"))).toBeNull();
		expect(phoneProblem(phoneOf(POSSIBLE), rules("possible"))).toBeNull();
		for (const n of [IMPOSSIBLE, UNKNOWN])
			expect(phoneProblem(phoneOf(n), rules("possible"))).toMatch(/not a possible/);
	});

	it("always accepts a test number, whatever its digits", () => {
		for (const validation of ["valid", "possible"] as const)
			for (const n of [POSSIBLE, IMPOSSIBLE, UNKNOWN])
				expect(phoneProblem(phoneOf(n), rules(validation, [n]))).toBeNull();
	});
});
