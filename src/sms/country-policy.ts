import { type PhoneNumber, parsePhoneNumberFromString } from "libphonenumber-js";
import type { SmsPolicy } from "../config/config";
import { type Failure, failure } from "../http/errors";

let last: { phone: string; parsed: PhoneNumber | undefined } | undefined;

/**
 * One parse per number: a send asks for its country, calling code and range
 * in turn, and each phone's object only ever sees its own number.
 */
function parse(phone: string): PhoneNumber | undefined {
	if (last?.phone !== phone) last = { phone, parsed: parsePhoneNumberFromString(phone) };
	return last.parsed;
}

/** Where a number lives, as far as its digits tell: the calling code always, the country when known. */
export function numberOrigin(phone: string): { callingCode: string; countries: string[] } {
	const parsed = parse(phone);
	if (!parsed) return { callingCode: "unknown", countries: [] };
	const countries = parsed.country ? [parsed.country] : parsed.getPossibleCountries();
	return { callingCode: parsed.countryCallingCode, countries };
}

/**
 * The number range a number belongs to, for the conversion-rate guard: the
 * calling code and the next three digits (`+447071234567` → `+44707`).
 */
export function numberPrefix(phone: string): string {
	const parsed = parse(phone);
	if (!parsed) return phone.slice(0, 7);
	return `+${parsed.countryCallingCode}${String(parsed.nationalNumber).slice(0, 3)}`;
}

/**
 * COUNTRY_NOT_ALLOWED when the number's country is blocked or, with an allow
 * list, not on it. A number whose country cannot be pinned down passes an
 * allow list only if every country it could belong to is on it, and fails a
 * block list if any of them is blocked.
 */
export function countryRefusal(phone: string, policy: SmsPolicy): Failure | null {
	const { allowedCountries: allowed, blockedCountries: blocked } = policy;
	if (allowed.length === 0 && blocked.length === 0) return null;
	const { countries } = numberOrigin(phone);
	const refused =
		(allowed.length > 0 && (countries.length === 0 || countries.some((c) => !allowed.includes(c)))) ||
		countries.some((c) => blocked.includes(c));
	return refused ? failure("COUNTRY_NOT_ALLOWED", { field: "phone" }) : null;
}
