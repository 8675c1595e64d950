import type { SmsPolicy } from "../config/config";
import { type Failure, failure } from "../errors/errors";
import type { Phone } from "../phone/parse";

/**
 * COUNTRY_NOT_ALLOWED when the number is blocked or, with an allow list, not
 * on it. An entry is a country (`GB`) or a calling code (`882`); a calling
 * code covers every number that dials it, countryless ranges included.
 *
 * A number whose country cannot be pinned down fails a block list if any
 * country it could belong to is blocked, and passes an allow list only if its
 * calling code is listed or every country it could belong to is; so a
 * countryless number (+882…) passes an allow list only by its calling code.
 */
export function countryRefusal(phone: Phone, policy: SmsPolicy): Failure | null {
	const { allowedCountries: allowed, blockedCountries: blocked } = policy;
	if (allowed.length === 0 && blocked.length === 0) return null;
	const { callingCode, countries } = phone;
	const blockedHere = blocked.includes(callingCode) || countries.some((c) => blocked.includes(c));
	const allowedHere =
		allowed.length === 0 ||
		allowed.includes(callingCode) ||
		(countries.length > 0 && countries.every((c) => allowed.includes(c)));
	return blockedHere || !allowedHere ? failure("COUNTRY_NOT_ALLOWED", { field: "phone" }) : null;
}
