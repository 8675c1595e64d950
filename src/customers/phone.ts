/** E.164: a plus, then 8 to 15 digits, the first not zero. */
const E164 = /^\+[1-9]\d{7,14}$/;

/**
 * Normalises what people type: strips spaces, dashes, dots and parentheses and
 * reads a leading `00` as `+`. Returns null unless the result is E.164.
 *
 * @example
 * normalizePhone("+1 (415) 555-2671"); // "+14155552671"
 * normalizePhone("0044 20 7946 0958"); // "+442079460958"
 */
export function normalizePhone(input: string): string | null {
	let phone = input.replace(/[\s\-.()]/g, "");
	if (phone.startsWith("00")) phone = `+${phone.slice(2)}`;
	return E164.test(phone) ? phone : null;
}
