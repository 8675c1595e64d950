import { describe, expect, it } from "vitest";
import { getConfig, parseConfig } from "../../src/config/config";
import { configError, configErrorMessage, development, problemsOf, production } from "../support/config-fixtures";

describe("defaults", () => {
	it("fills every setting from its default outside production", () => {
		const config = parseConfig(development());
		expect(config).toMatchObject({
			environment: "development",
			appName: "Acme",
			otp: { ttlMs: 300_000, maxAttempts: 3, cooldownMs: 30_000, maxSendsPerHour: 5, tombstoneMs: 3_600_000 },
			scrypt: { N: 32_768, r: 8, p: 3 },
			sms: { kind: "console" },
			corsOrigins: [],
		});
		expect(config.otpSecret.length).toBeGreaterThanOrEqual(32);
	});

	it("treats a missing ENVIRONMENT as production, which then demands its secrets", () => {
		const error = configError({});
		expect(problemsOf(error)).toContain("OTP_SECRET");
		expect(problemsOf(error)).toContain("TWILIO_ACCOUNT_SID");
	});

	it("parses numbers, trims the Twilio base URL and splits the CORS list", () => {
		const config = parseConfig(
			development({
				OTP_TTL_SECONDS: "120",
				OTP_MAX_ATTEMPTS: "5",
				TWILIO_API_BASE_URL: "http://twilio.test//",
				TWILIO_ACCOUNT_SID: "AC1",
				TWILIO_AUTH_TOKEN: "t",
				TWILIO_PHONE_NUMBER: "+15005550006",
				CORS_ALLOWED_ORIGINS: " https://a.example.com , http://localhost:5173,",
			}),
		);
		expect(config.otp.ttlMs).toBe(120_000);
		expect(config.otp.maxAttempts).toBe(5);
		expect(config.sms).toMatchObject({ kind: "twilio", twilio: { baseUrl: "http://twilio.test" } });
		expect(config.corsOrigins).toEqual(["https://a.example.com", "http://localhost:5173"]);
	});

	it("parses each env object once", () => {
		const env = development();
		expect(getConfig(env)).toBe(getConfig(env));
	});
});

describe("bad values name the variable", () => {
	it.each([
		["OTP_TTL_SECONDS", "abc", "must be a number"],
		["OTP_TTL_SECONDS", "0", "must be at least 30"],
		["OTP_TTL_SECONDS", "1.5", "must be a whole number"],
		["OTP_MAX_ATTEMPTS", "0", "must be at least 1"],
		["OTP_MAX_SENDS_PER_HOUR", "0", "must be at least 1"],
		["OTP_TOMBSTONE_SECONDS", "10", "must be at least 60"],
		["PASSWORD_SCRYPT_N", "1000", "must be a power of two"],
		["PASSWORD_SCRYPT_N", "3", "must be a power of two"],
		["TWILIO_API_BASE_URL", "not a url", "must be a URL"],
		["TWILIO_TIMEOUT_MS", "5", "must be at least 100"],
		["CORS_ALLOWED_ORIGINS", "https://app.example.com/path", "must be a comma-separated list of origins"],
		["CORS_ALLOWED_ORIGINS", "https://ok.example.com,app.example.com", "must be a comma-separated list of origins"],
		["ENVIRONMENT", "staging", "must be production, development or test"],
	])("%s=%j", (name, value, reason) => {
		const error = configError(development({ [name]: value }));
		expect(problemsOf(error)).toContain(`${name} ${reason}`);
	});

	it("refuses N·r·p above 2^20, naming the scrypt variables", () => {
		// 2^16 · 8 · 3 > 2^20, while 128·N·r is exactly the 64 MiB allowed.
		const error = configError(
			development({ PASSWORD_SCRYPT_N: "65536", PASSWORD_SCRYPT_R: "8", PASSWORD_SCRYPT_P: "3" }),
		);
		expect(problemsOf(error)).toMatch(/PASSWORD_SCRYPT_P N·r·p must not exceed 2\^20/);
	});

	it("refuses N at or above 2^(16·r), which scrypt itself rejects at run time", () => {
		const error = configError(
			development({ PASSWORD_SCRYPT_N: "524288", PASSWORD_SCRYPT_R: "1", PASSWORD_SCRYPT_P: "2" }),
		);
		expect(problemsOf(error)).toContain("PASSWORD_SCRYPT_N");
		expect(parseConfig(development({ PASSWORD_SCRYPT_N: "32768", PASSWORD_SCRYPT_R: "1" })).scrypt.N).toBe(32768);
	});

	it("refuses a scrypt memory cost above 64 MiB", () => {
		const error = configError(
			development({ PASSWORD_SCRYPT_N: "131072", PASSWORD_SCRYPT_R: "8", PASSWORD_SCRYPT_P: "1" }),
		);
		expect(problemsOf(error)).toContain("PASSWORD_SCRYPT_N 128·N·r must not exceed 64 MiB");
	});

	it("accepts N·r·p of exactly 2^20", () => {
		expect(
			parseConfig(development({ PASSWORD_SCRYPT_N: "16384", PASSWORD_SCRYPT_R: "8", PASSWORD_SCRYPT_P: "8" })).scrypt,
		).toEqual({ N: 16_384, r: 8, p: 8 });
	});

	it("lists every problem at once", () => {
		const error = configError(development({ OTP_TTL_SECONDS: "abc", OTP_MAX_ATTEMPTS: "0" }));
		expect(problemsOf(error)).toContain("OTP_TTL_SECONDS");
		expect(problemsOf(error)).toContain("OTP_MAX_ATTEMPTS");
	});
});

describe("what a configuration error tells whom", () => {
	it("a client gets only the generic message; the problems go to the operator's log", () => {
		const error = configError(development({ OTP_TTL_SECONDS: "abc" }));
		expect(error.message).toBe("The service is misconfigured");
		expect(error.message).not.toContain("OTP_TTL_SECONDS");
		expect(problemsOf(error)).toBe("Invalid configuration: OTP_TTL_SECONDS must be a number");
	});

	it.each([
		[
			"bad values",
			development,
			{
				TEST_PHONE_NUMBERS: "+15005550199:654321,+447700900123:65432x",
				APP_NAME: "An application name far too long to be accepted",
				CORS_ALLOWED_ORIGINS: "https://app.example.com/private-path",
				TURNSTILE_VERIFY_URL: "not-a-url-but-a-secret",
				OTP_TTL_SECONDS: "987654321",
				PHONE_VALIDATION: "lenient-please",
			},
		],
		[
			"production's rules",
			production,
			{
				OTP_SECRET: "short-otp-secret",
				JWT_REFRESH_SECRET: "short-jwt-secret",
				ADMIN_API_TOKEN: "short-admin-token",
				TEST_PHONE_NUMBERS: "+15005550199:654321",
			},
		],
	])("name each setting at fault and never quote its value (%s)", (_, base, faults) => {
		const problems = configErrorMessage(base(faults));
		for (const [name, value] of Object.entries(faults)) {
			expect(problems).toContain(`${name} `);
			// Each item of a list too: one bad pair of TEST_PHONE_NUMBERS is a phone number and its code.
			for (const item of value.split(",")) expect(problems).not.toContain(item);
		}
	});
});
