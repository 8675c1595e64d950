import type { Phone } from "./parse";

/** What the validity rule needs of the config. */
export interface PhoneRules {
	/** PHONE_VALIDATION: `valid` for its country, or only `possible` (of a length its plan allows). */
	validation: "valid" | "possible";
	/** TEST_PHONE_NUMBERS, keyed by E.164: always accepted, whatever their digits. */
	testNumbers: ReadonlyMap<string, string>;
}

/**
 * Why a normalised number cannot be used, or null when it can. A number the
 * plans do not know is neither valid nor possible, so only a test number gets through.
 */
export function phoneProblem(phone: Phone, rules: PhoneRules): string | null {
	if (rules.testNumbers.has(phone.e164)) return null;
	if (rules.validation === "possible")
		return phone.possible ? null : "is not a possible phone number: check the country code and the length";
	return phone.valid ? null : "is not a valid phone number for its country";
}
