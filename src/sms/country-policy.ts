import type { SmsPolicy } from "../config/config";
import { type Failure, failure } from "../http/errors";
import { phoneOf } from "../phone/parse";

/** Where a number lives, as far as its digits tell: the calling code always, the countries it may belong to. */
export function numberOrigin(phone: string): { callingCode: string; countries: string[] } {
	const { callingCode, countries } = phoneOf(phone);
	return { callingCode, countries: [...countries] };
}

/**
 * The number range a number belongs to, for the conversion-rate guard: the
 * calling code and the next three digits (`+447071234567` → `+44707`).
 */
export function numberPrefix(phone: string): string {
	return phoneOf(phone).range;
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
	const { countries } = phoneOf(phone);
	const refused =
		(allowed.length > 0 && (countries.length === 0 || countries.some((c) => !allowed.includes(c)))) ||
		countries.some((c) => blocked.includes(c));
	return refused ? failure("COUNTRY_NOT_ALLOWED", { field: "phone" }) : null;
}
