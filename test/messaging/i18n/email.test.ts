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
