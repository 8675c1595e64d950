import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config";
import { APP_NAME_MAX_UNITS, AUTOFILL_HOST_MAX_LENGTH, LOCALES } from "../../src/config/messages-env";
import { configError, development, problemsOf } from "../support/config-fixtures";

describe("the message settings", () => {
	it("default to English, no Android hash, and no autofill host without PUBLIC_BASE_URL", () => {
		expect(parseConfig(development())).toMatchObject({
			defaultLocale: "en",
			androidAppHash: undefined,
			autofillHost: null,
		});
		expect(parseConfig(development({ DEFAULT_LOCALE: "", ANDROID_APP_HASH: "" }))).toMatchObject({
			defaultLocale: "en",
			androidAppHash: undefined,
		});
	});

	it("read DEFAULT_LOCALE in any case, and every language we speak", () => {
		expect(parseConfig(development({ DEFAULT_LOCALE: " PT " })).defaultLocale).toBe("pt");
		for (const locale of LOCALES)
			expect(parseConfig(development({ DEFAULT_LOCALE: locale })).defaultLocale).toBe(locale);
	});

	it("take the autofill host from PUBLIC_BASE_URL: the host alone, without port or path", () => {
		const config = parseConfig(development({ PUBLIC_BASE_URL: "https://Verify.Example.com:8443/app/" }));
		expect(config.autofillHost).toBe("verify.example.com");
	});

	it("keep a valid Android hash", () => {
		expect(parseConfig(development({ ANDROID_APP_HASH: "FA+9qCX9VSu" })).androidAppHash).toBe("FA+9qCX9VSu");
	});

	it.each([
		["DEFAULT_LOCALE", "ja", "must be one of en, es, pt, fr, de, hi, id, ar, tr, ru"],
		["DEFAULT_LOCALE", "pt-BR", "must be one of"],
		["ANDROID_APP_HASH", "FA+9qCX9VS", "must be the 11-character SMS Retriever hash"],
		["ANDROID_APP_HASH", "FA+9qCX9VSuX", "must be the 11-character SMS Retriever hash"],
		["ANDROID_APP_HASH", "FA+9qCX9V-u", "must be the 11-character SMS Retriever hash"],
		["APP_NAME", "W".repeat(APP_NAME_MAX_UNITS + 1), `must be at most ${APP_NAME_MAX_UNITS} characters of the GSM-7`],
		["APP_NAME", "Café Ação", "must be at most"],
		["APP_NAME", "Магазин", "must be at most"],
		["APP_NAME", `${"W".repeat(APP_NAME_MAX_UNITS - 1)}€`, "must be at most"],
	])("refuse %s=%j, naming it", (name, value, reason) => {
		expect(problemsOf(configError(development({ [name]: value })))).toContain(`${name} ${reason}`);
	});

	it("accept an APP_NAME at the cap, GSM-7 accents included", () => {
		const name = `Café Müller${"x".repeat(APP_NAME_MAX_UNITS - 11)}`;
		expect(parseConfig(development({ APP_NAME: name })).appName).toBe(name);
	});

	it("refuse a PUBLIC_BASE_URL whose host would push an SMS past one segment", () => {
		const host = (length: number) => `${"h".repeat(length - 4)}.com`;
		const at = parseConfig(development({ PUBLIC_BASE_URL: `https://${host(AUTOFILL_HOST_MAX_LENGTH)}` }));
		expect(at.autofillHost).toHaveLength(AUTOFILL_HOST_MAX_LENGTH);
		const error = configError(development({ PUBLIC_BASE_URL: `https://${host(AUTOFILL_HOST_MAX_LENGTH + 1)}` }));
		expect(problemsOf(error)).toContain(
			`PUBLIC_BASE_URL host must be at most ${AUTOFILL_HOST_MAX_LENGTH} characters: every SMS ends with @host #code`,
		);
	});
});
