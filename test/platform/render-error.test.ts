import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app";
import { argumentTexts, captureLogs } from "../support/log-capture";

afterEach(() => {
	vi.restoreAllMocks();
});

describe("a misconfigured Worker", () => {
	it("answers 500 CONFIGURATION_ERROR with the generic message, and logs the settings at fault without their values", async () => {
		const secret = "too-short-jwt-secret-value";
		// Production's rules refuse the short secret; the suite's test numbers and cheap scrypt cost too.
		const bindings = { ...env, ENVIRONMENT: "production", JWT_REFRESH_SECRET: secret } as unknown as Env;
		const logs = captureLogs();
		const res = await createApp().request("/api/customers/me", {}, bindings);

		expect(res.status).toBe(500);
		const body = await res.text();
		expect(JSON.parse(body)).toEqual({
			success: false,
			code: "CONFIGURATION_ERROR",
			message: "The service is misconfigured",
		});
		expect(body).not.toContain("JWT_REFRESH_SECRET");

		const [line, ...others] = logs.events("request_failed");
		expect(others).toEqual([]);
		expect(line).toMatchObject({ level: "error", code: "CONFIGURATION_ERROR" });
		const error = String(line?.error);
		expect(error).toContain("JWT_REFRESH_SECRET must be set to at least 32 bytes in production");
		expect(error).toContain("TEST_PHONE_NUMBERS is refused in production");
		const texts = argumentTexts(logs.calls());
		for (const value of [secret, "+15005550199", "+447700900123"])
			expect(texts.filter((text) => text.includes(value))).toEqual([]);
	});
});
