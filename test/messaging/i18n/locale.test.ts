import { describe, expect, it } from "vitest";
import { LOCALES, pickLocale } from "../../../src/messaging/i18n";

describe("pickLocale", () => {
	it("takes the request's locale first, by its language (BCP 47, any case)", () => {
		expect(pickLocale("pt-BR", "de", "en")).toBe("pt");
		expect(pickLocale("ES-mx", null, "en")).toBe("es");
		expect(pickLocale("zh-Hant-TW", "fr", "en")).toBe("fr");
		expect(pickLocale("sr-Latn-RS", undefined, "ru")).toBe("ru");
		expect(pickLocale("in", undefined, "en")).toBe("id");
		for (const locale of LOCALES) expect(pickLocale(locale, "en", "en")).toBe(locale);
	});

	it("skips a request locale we do not speak or cannot read, then reads Accept-Language", () => {
		expect(pickLocale("ja", "tr", "en")).toBe("tr");
		expect(pickLocale("not a tag", "ar", "en")).toBe("ar");
		expect(pickLocale("", "hi", "en")).toBe("hi");
		expect(pickLocale("e".repeat(100), "hi", "en")).toBe("hi");
	});

	it("honours Accept-Language q-values, then the header's order", () => {
		expect(pickLocale(undefined, "de-CH;q=0.5, fr;q=0.9, en;q=0.8", "en")).toBe("fr");
		expect(pickLocale(undefined, "ja, ru-RU;q=0.7, es;q=0.7", "en")).toBe("ru");
		expect(pickLocale(undefined, "fr-CA,fr;q=0.9,en;q=0.8", "en")).toBe("fr");
		expect(pickLocale(undefined, "en;q=0.1, de", "ar")).toBe("de");
		expect(pickLocale(undefined, " pt-br ; q=1.000 ", "en")).toBe("pt");
	});

	it("ignores *, q=0, malformed q-values and junk; falls back when nothing fits", () => {
		expect(pickLocale(undefined, "*", "de")).toBe("de");
		expect(pickLocale(undefined, "es;q=0, *;q=0.5", "id")).toBe("id");
		expect(pickLocale(undefined, "ru;q=2, fr;q=abc, tr;q=0.2", "en")).toBe("tr");
		expect(pickLocale(undefined, ";;,,, ,=;q", "hi")).toBe("hi");
		expect(pickLocale(undefined, "ja, zh;q=0.9", "es")).toBe("es");
		expect(pickLocale(undefined, "", "pt")).toBe("pt");
		expect(pickLocale(undefined, null, "ar")).toBe("ar");
		expect(pickLocale(undefined, undefined, "en")).toBe("en");
	});

	it("reads only the head of a huge header, quickly", () => {
		const junk = "xx-YY;q=0.9,".repeat(100_000);
		const started = performance.now();
		expect(pickLocale(undefined, `${junk}ru`, "en")).toBe("en");
		expect(pickLocale(undefined, `de;q=0.3,${junk}`, "en")).toBe("de");
		expect(performance.now() - started).toBeLessThan(50);
	});
});
