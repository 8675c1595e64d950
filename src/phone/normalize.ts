import { type Phone, parsePhone, phoneOf } from "./parse";

/** E.164: a plus, then 8 to 15 digits, the first not zero. */
const E164 = /^\+[1-9]\d{7,14}$/;

/**
 * Normalises what people type to one spelling per phone: strips spaces,
 * dashes, dots and parentheses, reads a leading `00` as `+`, then drops a
 * national trunk prefix after the calling code (`+44 07400…` is `+447400…`).
 * Returns null unless the result is E.164. Whether the number is valid is a
 * separate question (phone/validity.ts): a number no plan knows stays as typed.
 *
 * @example
 * normalizePhone("+1 (415) 555-2671"); // "+14155552671"
 * normalizePhone("0044 020 7946 0958"); // "+442079460958"
 */
export function normalizePhone(input: string): string | null {
	let phone = input.replace(/[\s\-.()]/g, "");
	if (phone.startsWith("00")) phone = `+${phone.slice(2)}`;
	if (!E164.test(phone)) return null;
	return parsePhone(phone)?.e164 ?? phone;
}

/** What people type, read once into the facts of its number; null unless it normalises to E.164. */
export function readPhone(input: string): Phone | null {
	const e164 = normalizePhone(input);
	return e164 ? phoneOf(e164) : null;
}
