import { describe, expect, it } from "vitest";
import { otpEmail as localized } from "../../../src/messaging/i18n";

const TO = "ada@example.com";
// The English email, as it was before languages came.
const otpEmail = (appName: string, to: string, code: string, ttlMs: number) =>
	localized(appName, to, code, ttlMs, "en");

describe("otpEmail in English", () => {
	it("names the service in the subject and goes to the given address", () => {
		const email = otpEmail("Acme", TO, "042917", 300_000);
		expect(email.to).toBe(TO);
		expect(email.subject).toBe("Acme verification code");
	});

	it("carries the code, the expiry and what to do if unexpected, in the text part", () => {
		const { text } = otpEmail("Acme", TO, "042917", 300_000);
		expect(text).toContain("Your Acme verification code is 042917.");
		expect(text).toContain("It expires in 5 minutes.");
		expect(text).toContain("If you did not try to register with Acme, ignore this email");
		// Plain text: no markup.
		expect(text).not.toMatch(/<[a-z!/]/i);
	});

	it("carries the same in the HTML part", () => {
		const { html } = otpEmail("Acme", TO, "042917", 300_000);
		expect(html).toMatch(/^<!doctype html>/);
		expect(html).toContain("<title>Acme verification code</title>");
		expect(html).toContain(">042917</p>");
		expect(html).toContain("It expires in 5 minutes.");
		expect(html).toContain("If you did not try to register with Acme, ignore this email");
	});

	it("states the expiry of the configured TTL, never more", () => {
		for (const [ttl, phrase] of [
			[60_000, "1 minute."],
			[600_000, "10 minutes."],
			[90_000, "90 seconds."],
		] as const) {
			const email = otpEmail("Acme", TO, "123456", ttl);
			expect(email.text).toContain(`It expires in ${phrase}`);
			expect(email.html).toContain(`It expires in ${phrase}`);
		}
	});

	it("escapes the app name in the HTML part, and only there", () => {
		const name = `Tom & Jerry's <b>"Shop"</b>`;
		const email = otpEmail(name, TO, "123456", 300_000);
		const escaped = "Tom &#38; Jerry&#39;s &#60;b&#62;&#34;Shop&#34;&#60;/b&#62;";
		expect(email.html).toContain(`<title>${escaped} verification code</title>`);
		expect(email.html).toContain(`Your ${escaped} verification code is:`);
		expect(email.html).toContain(`register with ${escaped}, ignore`);
		expect(email.html).not.toContain("<b>");
		expect(email.html).not.toContain("Jerry's");
		expect(email.subject).toBe(`${name} verification code`);
		expect(email.text).toContain(`Your ${name} verification code is 123456.`);
	});
});

describe("otpEmail in every language", () => {
	const LOCALES = ["en", "es", "pt", "fr", "de", "hi", "id", "ar", "tr", "ru"] as const;

	it("marks the HTML with the language, right-to-left for Arabic only", () => {
		for (const locale of LOCALES) {
			const { html } = localized("Acme", TO, "042917", 300_000, locale);
			const dir = locale === "ar" ? "rtl" : "ltr";
			expect(html, locale).toContain(`<html lang="${locale}" dir="${dir}">`);
			// The code reads left to right inside right-to-left text.
			expect(html, locale).toContain('dir="ltr">042917</p>');
		}
	});

	it("carries the app, the code and the expiry in both parts, and differs from English", () => {
		const english = localized("Acme", TO, "042917", 300_000, "en");
		for (const locale of LOCALES) {
			const email = localized("Acme", TO, "042917", 300_000, locale);
			expect(email.to).toBe(TO);
			expect(email.subject, locale).toContain("Acme");
			for (const part of [email.text, email.html]) {
				expect(part, locale).toContain("Acme");
				expect(part, locale).toContain("042917");
				expect(part, locale).toMatch(/\b5\b/);
			}
			expect(email.text).not.toMatch(/<[a-z!/]/i);
			if (locale !== "en") expect(email.text, locale).not.toBe(english.text);
		}
	});

	it("says the expiry with each language's plural", () => {
		const expiry = (locale: "ru" | "ar" | "de" | "es", ttlMs: number) =>
			localized("Acme", TO, "1", ttlMs, locale).text.split("\n")[2];
		expect(expiry("ru", 60_000)).toContain("1 минута");
		expect(expiry("ru", 180_000)).toContain("3 минуты");
		expect(expiry("ru", 300_000)).toContain("5 минут");
		expect(expiry("ru", 21 * 60_000)).toContain("21 минута");
		expect(expiry("ru", 11 * 60_000)).toContain("11 минут");
		expect(expiry("ru", 90_000)).toContain("90 секунд");
		expect(expiry("ar", 60_000)).toContain("دقيقة واحدة");
		expect(expiry("ar", 120_000)).toContain("دقيقتين");
		expect(expiry("ar", 300_000)).toContain("5 دقائق");
		expect(expiry("ar", 15 * 60_000)).toContain("15 دقيقة");
		expect(expiry("de", 60_000)).toContain("1 Minute");
		expect(expiry("de", 90_000)).toContain("90 Sekunden");
		expect(expiry("es", 600_000)).toContain("10 minutos");
	});

	it("escapes the app name in the HTML of every language", () => {
		for (const locale of LOCALES) {
			const { html } = localized(`<b>"X"</b>`, TO, "123456", 300_000, locale);
			expect(html, locale).not.toContain("<b>");
			expect(html, locale).toContain("&#60;b&#62;&#34;X&#34;&#60;/b&#62;");
		}
	});
});
