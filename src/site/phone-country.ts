import { type CountryCode, isSupportedCountry } from "libphonenumber-js";

/** The page with the phone number field: the registration page. */
const PHONE_PAGES = new Set(["/"]);

/**
 * The country the registration page's country picker starts on: where the
 * request comes from (`request.cf.country`), else DEFAULT_COUNTRY, else none.
 * Only countries with a calling code count: not Tor (`T1`), not unknown (`XX`).
 */
export function phoneCountryFor(path: string, request: Request, defaultCountry?: CountryCode): string | null {
	if (!PHONE_PAGES.has(path)) return null;
	const country = (request.cf as { country?: unknown } | undefined)?.country;
	if (typeof country === "string" && /^[A-Z]{2}$/.test(country) && isSupportedCountry(country)) return country;
	return defaultCountry ?? null;
}
