// The entry of public/assets/phone-input.js (bundled by scripts/build-assets.mjs): the parts of
// libphonenumber-js the registration page uses, with the min metadata, served from our own origin.
import metadata from "libphonenumber-js/metadata.min.json";
import { AsYouType, getCountries, getCountryCallingCode } from "libphonenumber-js/min";

export { AsYouType, getCountries, getCountryCallingCode };

/** The main country of a calling code (US for +1, RU for +7, GB for +44), as the metadata orders them. */
export function mainCountry(callingCode) {
	return metadata.country_calling_codes[callingCode]?.[0];
}
