import { AsYouType, getCountries, getCountryCallingCode, mainCountry } from "./phone-input.js";

/**
 * The phone number as people know it: a country picker (names in the page's
 * language, with calling codes) and the national number, formatted as it is
 * typed. A number that starts with `+` (or `00`) picks its country: the
 * picker follows, and once the number is whole it shows in national form.
 * The API gets E.164.
 *
 * The country the picker starts on is the Worker's guess from where the
 * request came from (`<meta name="phone-country">`), or none.
 */
export function phoneField(select, input, language) {
	const initial = document.querySelector('meta[name="phone-country"]')?.content ?? "";
	fillCountries(select, language);
	select.value = [...select.options].some((o) => o.value === initial) ? initial : "";

	input.addEventListener("input", (event) => {
		// Deleting leaves the text as the person left it (reformatting would put back what they removed),
		// and so does an edit in the middle; the next keystroke at the end, or leaving the field, formats it.
		if (event.inputType?.startsWith("delete") || input.selectionStart < input.value.length) return;
		format();
	});
	input.addEventListener("blur", format);
	select.addEventListener("change", format);

	function format() {
		const raw = input.value;
		if (!raw.trim()) return;
		if (isInternational(raw)) {
			const typed = new AsYouType();
			const text = typed.input(international(raw));
			const country = typed.getCountry() ?? countryOf(typed.getCallingCode(), select.value);
			if (country && country !== select.value) select.value = country;
			input.value = country && typed.isValid() ? typed.getNumber().formatNational() : text;
			return;
		}
		if (select.value) input.value = new AsYouType(select.value).input(raw);
	}

	return {
		/** The number in E.164; "" when empty; null when it is national and no country is chosen. */
		e164() {
			const raw = input.value.trim();
			if (!raw) return "";
			const digits = raw.replace(/\D/g, "");
			if (isInternational(raw)) {
				const typed = new AsYouType();
				typed.input(international(raw));
				return typed.getNumber()?.number ?? `+${digits.replace(/^00/, "")}`;
			}
			if (!select.value) return null;
			const typed = new AsYouType(select.value);
			typed.input(raw);
			// Too short to be a number: the API says what is wrong with it.
			return typed.getNumber()?.number ?? `+${getCountryCallingCode(select.value)}${digits}`;
		},
	};
}

const isInternational = (text) => /^\s*(\+|00)/.test(text);
const international = (text) => text.trim().replace(/^00/, "+");

/** The country of a calling code: the chosen one if it shares it (+1 for Canada), else its main country. */
function countryOf(callingCode, chosen) {
	if (!callingCode) return undefined;
	if (chosen && getCountryCallingCode(chosen) === callingCode) return chosen;
	return mainCountry(callingCode);
}

function fillCountries(select, language) {
	const names = regionNames(language.lang);
	const countries = getCountries()
		.map((code) => ({ code, name: names(code), callingCode: getCountryCallingCode(code) }))
		.sort((a, b) => a.name.localeCompare(b.name, language.lang));
	const none = new Option("—", "");
	select.replaceChildren(
		none,
		...countries.map(({ code, name, callingCode }) => new Option(`${name} (+${callingCode})`, code)),
	);
	select.lang = language.lang;
	select.dir = language.dir;
}

function regionNames(lang) {
	try {
		const names = new Intl.DisplayNames([lang], { type: "region" });
		return (code) => names.of(code) ?? code;
	} catch {
		return (code) => code;
	}
}
