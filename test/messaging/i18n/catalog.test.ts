import { describe, expect, it } from "vitest";
import { LOCALES, smsSegments } from "../../../src/messaging/i18n";
import { expiryPhrase, TEXTS } from "../../../src/messaging/i18n/catalog";
import type { Texts } from "../../../src/messaging/i18n/lang/texts";

const APP = "Zyxo";
const CODE = "480913";

/** Every text of a language, by path, rendered with sample values. */
function rendered(texts: Texts): Map<string, string> {
	const out = new Map<string, string>();
	const walk = (path: string, value: unknown) => {
		if (typeof value === "string") out.set(path, value);
		else if (typeof value === "function") {
			const result = path.startsWith("sms.")
				? [false, true].map((short) => value({ app: APP, code: CODE, expiry: "⌛", short })).join(" | ")
				: path === "email.codeLine"
					? value(APP, CODE)
					: value(path.endsWith("minutes") || path.endsWith("seconds") ? 7 : APP);
			out.set(path, String(result));
		} else if (value && typeof value === "object")
			for (const [key, inner] of Object.entries(value)) walk(path ? `${path}.${key}` : key, inner);
	};
	walk("", texts);
	return out;
}

describe("the catalog", () => {
	const english = rendered(TEXTS.en);

	it("gives every language every text English has, and nothing else", () => {
		for (const locale of LOCALES) expect([...rendered(TEXTS[locale]).keys()], locale).toEqual([...english.keys()]);
	});

	it("fills every text: not empty, no stray spaces, no undefined, translated (not English)", () => {
		for (const locale of LOCALES) {
			for (const [path, text] of rendered(TEXTS[locale])) {
				if (path !== "voice.separator") expect(text.trim(), `${locale} ${path}`).toBe(text);
				expect(text.length, `${locale} ${path}`).toBeGreaterThan(0);
				expect(text, `${locale} ${path}`).not.toMatch(/undefined|NaN|\[object|\$\{|\s{2}/);
				// Shared by design, or the same word in both languages (French "minutes").
				const alike = ["dir", "say.language", "say.voice", "voice.separator", "minutes", "seconds"].includes(path);
				if (locale !== "en" && !alike) expect(text, `${locale} ${path}`).not.toBe(english.get(path));
			}
		}
	});

	it("puts the app and the code where they belong", () => {
		for (const locale of LOCALES) {
			const { sms, voice, email } = TEXTS[locale];
			for (const purpose of ["register", "reset"] as const) {
				const long = sms[purpose]({ app: APP, code: CODE, expiry: "⌛", short: false });
				const short = sms[purpose]({ app: APP, code: CODE, expiry: "⌛", short: true });
				expect(long, `${locale} ${purpose}`).toContain(APP);
				expect(long, `${locale} ${purpose}`).toContain(CODE);
				expect(short, `${locale} ${purpose}`).toContain(CODE);
				expect(voice.intro[purpose](APP), `${locale} ${purpose}`).toContain(APP);
			}
			expect(sms.register({ app: APP, code: CODE, expiry: "⌛", short: false })).not.toBe(
				sms.reset({ app: APP, code: CODE, expiry: "⌛", short: false }),
			);
			expect(email.subject(APP)).toContain(APP);
			expect(email.codeLine(APP, CODE)).toContain(CODE);
			expect(email.ignore(APP)).toContain(APP);
			expect(email.expires("⌛")).toContain("⌛");
		}
	});

	it("writes the Latin-script SMS in the GSM-7 alphabet, the others in their own script", () => {
		const at = (locale: (typeof LOCALES)[number]) =>
			(["register", "reset"] as const).map((purpose) =>
				smsSegments(
					TEXTS[locale].sms[purpose]({
						app: APP,
						code: CODE,
						expiry: expiryPhrase(TEXTS[locale], 300_000),
						short: false,
					}),
				),
			);
		for (const locale of ["en", "es", "pt", "fr", "de", "id"] as const)
			for (const s of at(locale)) expect(s.encoding, locale).toBe("GSM-7");
		for (const locale of ["hi", "ar", "ru", "tr"] as const)
			for (const s of at(locale)) expect(s.encoding, locale).toBe("UCS-2");
	});
});
