import { describe, expect, it } from "vitest";
import { digits, phoneSecrets } from "./log-secrets";

describe("the secret matchers", () => {
	// The flow of test/platform/log-secrecy.test.ts passes only if nothing is found,
	// so the matchers must find what they look for.
	it("find a code standing alone, not inside a longer number", () => {
		const code = digits("code", "123456");
		expect(code.found('{"otp":"123456"}')).toBe(true);
		expect(code.found("Your Acme verification code is 123456. It expires")).toBe(true);
		expect(code.found("otp=123456&x")).toBe(true);
		expect(code.found('{"durationMs":1234567}')).toBe(false);
		expect(code.found('{"at":1761234567890}')).toBe(false);
		expect(code.found('{"customerId":9123456}')).toBe(false);
	});

	it("find a phone number in every form", () => {
		const secrets = phoneSecrets("phone", "+16811230001");
		const hit = (text: string) => secrets.some((s) => s.found(text));
		expect(hit('{"phone":"+16811230001"}')).toBe(true);
		expect(hit('{"to":"16811230001"}')).toBe(true);
		expect(hit("phone=%2B16811230001")).toBe(true);
		expect(hit('{"national":"6811230001"}')).toBe(true);
		expect(hit('{"phone":"+1681***0001"}')).toBe(false);
	});
});
