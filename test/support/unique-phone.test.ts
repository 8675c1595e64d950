import { isValidPhoneNumber } from "libphonenumber-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { uniquePhone } from "./api";

afterEach(() => {
	vi.restoreAllMocks();
});

describe("uniquePhone", () => {
	// The Worker refuses invalid numbers: a helper that sometimes made one would make tests flaky.
	it("makes a valid number whatever the clock reads", () => {
		const now = vi.spyOn(Date, "now");
		const made = new Set<string>();
		for (let ms = 0; ms < 1000; ms++) {
			now.mockReturnValue(1_750_000_000_000 + ms);
			const phone = uniquePhone("212");
			expect(isValidPhoneNumber(phone), phone).toBe(true);
			made.add(phone);
		}
		expect(made.size).toBe(1000);
	});
});
