import { AsYouType } from "libphonenumber-js";

/** A number prefix read like a number: its canonical spelling and the range it lies in. */
export interface PrefixFacts {
	/** `+` and digits, spelled as E.164 numbers are (a national trunk `0` after the calling code dropped). */
	prefix: string;
	/** The range (`+1876`, `+44740`): the calling code and the next three digits, as `Phone.range`. */
	range: string;
	callingCode: string;
}

/**
 * Reads a number prefix an operator typed (`+1 876`, `+1876555`, a whole
 * number): null unless it is `+` and up to 15 digits under a calling code
 * libphonenumber knows, and long enough to name a whole range (three digits
 * after the calling code). Spaces, dashes, dots and parentheses are ignored.
 *
 * @example
 * readPrefix("+1 876 555")?.range; // "+1876"
 * readPrefix("+44 0740")?.prefix; // "+44740"
 * readPrefix("+1"); // null: a calling code alone spans many ranges
 */
export function readPrefix(text: string): PrefixFacts | null {
	const typed = text.replace(/[\s\-.()]/g, "");
	if (!/^\+[1-9]\d{0,14}$/.test(typed)) return null;
	const reader = new AsYouType();
	reader.input(typed);
	const callingCode = reader.getCallingCode();
	const national = reader.getNationalNumber();
	if (!callingCode || national.length < 3) return null;
	return { prefix: `+${callingCode}${national}`, range: `+${callingCode}${national.slice(0, 3)}`, callingCode };
}
