import { describe, expect, it } from "vitest";
import { normalizePhone } from "../../src/phone/normalize";

describe("normalizePhone", () => {
	it.each([
		["+44 07400 123456", "+447400123456"],
		["+44 (0) 20 7946 0958", "+442079460958"],
		["0044 07400 123456", "+447400123456"],
		["+4407700900501", "+447700900501"],
		["+39 06 1234 5678", "+390612345678"],
		["001 (415) 555-2671", "+14155552671"],
	])("%j is one phone: %s", (typed, e164) => {
		expect(normalizePhone(typed)).toBe(e164);
	});

	it("keeps an E.164 number no plan knows as typed, for the validity rule to judge", () => {
		expect(normalizePhone("+999 123 456 789")).toBe("+999123456789");
	});

	it.each(["0 7400 123456", "447400123456", "+0447400123456", "+44", "+44 7400 12345 67890"])(
		"%j is not E.164",
		(typed) => {
			expect(normalizePhone(typed)).toBeNull();
		},
	);
});
