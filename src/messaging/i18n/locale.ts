import { LOCALES, type Locale } from "../../config/messages-env";

export { LOCALES, type Locale };

/** Older tags some clients still send for a language we speak (Java's `in` for Indonesian). */
const ALIASES: Record<string, Locale> = { in: "id" };
/** Bounds the work on a stranger's header: a longer one is read up to here. */
const MAX_HEADER_CHARS = 1024;
const MAX_RANGES = 32;

const TAG = /^([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*$/i;
const QUALITY = /^q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/i;

/** The language of a BCP 47 tag (`pt-BR` → `pt`), if we speak it. */
function localeOf(tag: string): Locale | undefined {
	const m = TAG.exec(tag.trim());
	if (!m) return undefined;
	const primary = (m[1] as string).toLowerCase();
	if ((LOCALES as readonly string[]).includes(primary)) return primary as Locale;
	return ALIASES[primary];
}

/**
 * The language of a message: the request's `locale` (BCP 47) when we speak
 * it, else the best of Accept-Language (highest q first, then the header's
 * order; `*`, q=0 and malformed ranges ignored), else `fallback`.
 *
 * @example pickLocale("pt-BR", null, "en") // "pt"
 * @example pickLocale(undefined, "de-CH;q=0.5, fr;q=0.9", "en") // "fr"
 */
export function pickLocale(
	requested: string | undefined,
	acceptLanguage: string | null | undefined,
	fallback: Locale,
): Locale {
	const direct = requested === undefined || requested.length > 64 ? undefined : localeOf(requested);
	if (direct) return direct;
	if (!acceptLanguage) return fallback;
	let best: Locale | undefined;
	let bestQ = 0;
	const ranges = acceptLanguage.slice(0, MAX_HEADER_CHARS).split(",", MAX_RANGES);
	for (const range of ranges) {
		const [tag = "", ...params] = range.split(";");
		let q = 1;
		for (const param of params) {
			const m = QUALITY.exec(param.trim());
			if (m) q = Number(m[1]);
			else if (/^q=/i.test(param.trim())) q = Number.NaN;
		}
		if (!(q > bestQ)) continue;
		const locale = localeOf(tag);
		if (locale) {
			best = locale;
			bestQ = q;
		}
	}
	return best ?? fallback;
}
