import { type CountryCode, type PhoneNumber, parsePhoneNumberFromString } from "libphonenumber-js";
import { maskPhone } from "./mask";

/** What the digits of a number tell, read once by libphonenumber. */
export interface Phone {
	/** Canonical E.164, the national trunk prefix dropped: `+447400123456` (typed `+44 07400 123456`). */
	e164: string;
	/** Without the plus: `44`; `unknown` when no numbering plan knows the number. */
	callingCode: string;
	/** Set when the digits pin down one country. */
	country?: CountryCode;
	/**
	 * Every country the number may belong to: `[country]` when known, several
	 * for a range that countries share (+44 7700 900: GB, GG, IM, JE), none
	 * for a countryless range (+800, +881, +882, +883, +888…).
	 */
	countries: readonly CountryCode[];
	/** Valid for its country (or non-geographic plan): length and leading digits. */
	valid: boolean;
	/** Of a length the number's plan allows. */
	possible: boolean;
	/**
	 * The calling code and the next three digits (`+44707`; for NANP numbers the
	 * area code, `+1876`): the range whose guard watches its conversion rate.
	 */
	range: string;
	/**
	 * The finer block inside the range: the calling code and the next six
	 * digits for NANP (area code and exchange, `+1876555`), five elsewhere.
	 * Pumped numbers come in blocks a carrier leases, organic ones spread out.
	 */
	block: string;
	/** `+4474***3456`, for logs. */
	masked: string;
}

/** Distinct numbers remembered per isolate; a request meets one, a Durable Object only its own. */
const CACHE_SIZE = 256;
const cache = new Map<string, Phone | null>();

/**
 * Reads `text` (E.164, or national with `defaultCountry`) into its {@link Phone}
 * facts; null when libphonenumber cannot read it (an unknown calling code, junk).
 *
 * Invariant: one libphonenumber parse per distinct number per isolate while it
 * stays in the cache. A result is remembered under the text and under its
 * E.164, so the middleware that reads a national number, the validator, the
 * validity rule, the country policy, the budgets and the log line of one
 * request share one parse.
 *
 * @example
 * parsePhone("+4407400123456")?.e164; // "+447400123456"
 * parsePhone("07400 123456", "GB")?.e164; // "+447400123456"
 */
export function parsePhone(text: string, defaultCountry?: CountryCode): Phone | null {
	const key = defaultCountry ? `${defaultCountry}:${text}` : text;
	const known = cache.get(key);
	if (known !== undefined) {
		remember(key, known);
		return known;
	}
	const parsed = parsePhoneNumberFromString(text, defaultCountry);
	const phone = parsed ? factsOf(parsed) : null;
	remember(key, phone);
	if (phone && phone.e164 !== key) remember(phone.e164, phone);
	return phone;
}

/**
 * The facts of a number already in E.164 (a validated request field, a stored
 * phone). Never null: a number no plan knows has calling code `unknown`, no
 * country, and is neither valid nor possible.
 */
export function phoneOf(e164: string): Phone {
	return (
		parsePhone(e164) ?? {
			e164,
			callingCode: "unknown",
			countries: [],
			valid: false,
			possible: false,
			range: e164.slice(0, 7),
			block: e164.slice(0, 9),
			masked: maskPhone(e164),
		}
	);
}

function factsOf(parsed: PhoneNumber): Phone {
	const e164 = parsed.number;
	const callingCode = parsed.countryCallingCode;
	return {
		e164,
		callingCode,
		country: parsed.country,
		countries: parsed.country ? [parsed.country] : parsed.getPossibleCountries(),
		valid: parsed.isValid(),
		possible: parsed.isPossible(),
		range: `+${callingCode}${String(parsed.nationalNumber).slice(0, 3)}`,
		block: `+${callingCode}${String(parsed.nationalNumber).slice(0, callingCode === "1" ? 6 : 5)}`,
		masked: maskPhone(e164),
	};
}

/** Most recently used last; the oldest leaves first. */
function remember(key: string, phone: Phone | null): void {
	cache.delete(key);
	cache.set(key, phone);
	if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
}
