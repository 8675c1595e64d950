import { describe, expect, it } from "vitest";
import { getConfig, parseConfig } from "../src/config/config";
import { ApiError } from "../src/errors/errors";
import {
	AUTH_TOKEN,
	configError,
	configErrorMessage,
	development,
	JWT_32,
	JWT_REFRESH_32,
	problemsOf,
	production,
	SECRET_32,
} from "./config-fixtures";

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
				JWT_SECRET: "short-jwt-secret",
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

describe("production", () => {
	it("accepts a complete configuration and always sends through Twilio", () => {
		const config = parseConfig(production());
		expect(config.sms).toEqual({
			kind: "twilio",
			twilio: {
				baseUrl: "https://api.twilio.com",
				accountSid: "AC0123",
				authToken: AUTH_TOKEN,
				from: "+15005550006",
				messagingServiceSid: undefined,
				timeoutMs: 10_000,
			},
		});
		expect(config.otpSecret).toBe(SECRET_32);
	});

	it("accepts a Messaging Service instead of a phone number", () => {
		const config = parseConfig(production({ TWILIO_PHONE_NUMBER: undefined, TWILIO_MESSAGING_SERVICE_SID: "MG1" }));
		expect(config.sms).toMatchObject({ kind: "twilio", twilio: { messagingServiceSid: "MG1", from: undefined } });
	});

	it.each([
		["OTP_SECRET", undefined],
		["OTP_SECRET", ""],
		["OTP_SECRET", SECRET_32.slice(1)],
		["TWILIO_ACCOUNT_SID", undefined],
		["TWILIO_ACCOUNT_SID", ""],
		["TWILIO_AUTH_TOKEN", undefined],
		["TWILIO_AUTH_TOKEN", "   "],
		["TWILIO_PHONE_NUMBER", undefined],
		["TWILIO_PHONE_NUMBER", ""],
		["JWT_SECRET", undefined],
		["JWT_SECRET", ""],
		["JWT_SECRET", JWT_32.slice(3)],
		["JWT_REFRESH_SECRET", undefined],
		["JWT_REFRESH_SECRET", JWT_REFRESH_32.slice(5)],
	])("refuses %s=%j", (name, value) => {
		const error = configError(production({ [name]: value }));
		expect(problemsOf(error)).toContain(`${name} `);
		// The error is logged: it must never carry the secrets themselves.
		expect(problemsOf(error)).not.toContain(AUTH_TOKEN);
		expect(problemsOf(error)).not.toContain(SECRET_32.slice(1));
		expect(problemsOf(error)).not.toContain(JWT_32.slice(3));
		expect(problemsOf(error)).not.toContain(JWT_REFRESH_32.slice(5));
	});

	it("refuses one secret for both kinds of token", () => {
		const error = configError(production({ JWT_REFRESH_SECRET: JWT_32 }));
		expect(problemsOf(error)).toContain("JWT_REFRESH_SECRET must differ from JWT_SECRET");
		expect(problemsOf(error)).not.toContain(JWT_32);
	});

	it("reads token settings", () => {
		const { tokens } = parseConfig(
			production({
				JWT_ISSUER: "https://auth.example.com",
				JWT_AUDIENCE: "shop",
				ACCESS_TOKEN_TTL_SECONDS: "300",
				REFRESH_TOKEN_TTL_SECONDS: "86400",
				SESSION_MAX_AGE_SECONDS: "604800",
			}),
		);
		expect(tokens).toEqual({
			accessSecret: JWT_32,
			refreshSecret: JWT_REFRESH_32,
			issuer: "https://auth.example.com",
			audience: "shop",
			accessTtlSeconds: 300,
			refreshTtlSeconds: 86_400,
			sessionMaxAgeSeconds: 604_800,
		});
		expect(parseConfig(production()).tokens).toMatchObject({
			issuer: "edge-verify",
			audience: "edge-verify-api",
			accessTtlSeconds: 900,
			refreshTtlSeconds: 30 * 86_400,
			sessionMaxAgeSeconds: 90 * 86_400,
		});
		expect(configErrorMessage(production({ SESSION_MAX_AGE_SECONDS: "60" }))).toContain(
			"SESSION_MAX_AGE_SECONDS must be at least 3600",
		);
	});

	it("names both ways to send when neither a phone number nor a Messaging Service is set", () => {
		const error = configError(production({ TWILIO_PHONE_NUMBER: "", TWILIO_MESSAGING_SERVICE_SID: "" }));
		expect(problemsOf(error)).toContain(
			"TWILIO_PHONE_NUMBER (or TWILIO_MESSAGING_SERVICE_SID) is required in production",
		);
	});

	it("counts the OTP secret in bytes, not characters", () => {
		// 16 × "é" is 16 characters but 32 bytes of UTF-8.
		expect(parseConfig(production({ OTP_SECRET: "é".repeat(16) })).otpSecret).toBe("é".repeat(16));
		expect(configErrorMessage(production({ OTP_SECRET: "é".repeat(15) }))).toContain("OTP_SECRET");
	});

	it("demands an OWASP-level scrypt cost", () => {
		const weak = configError(
			production({ PASSWORD_SCRYPT_N: "16384", PASSWORD_SCRYPT_R: "8", PASSWORD_SCRYPT_P: "3" }),
		);
		expect(problemsOf(weak)).toContain("PASSWORD_SCRYPT_N N·r·p must be at least 655360 in production");
		// The test suite's cheap cost would be refused in production too.
		expect(configErrorMessage(production({ PASSWORD_SCRYPT_N: "1024", PASSWORD_SCRYPT_P: "1" }))).toContain(
			"PASSWORD_SCRYPT_N",
		);
		// OWASP's weakest equivalent setting, N=2^13 r=8 p=10, is exactly enough.
		expect(
			parseConfig(production({ PASSWORD_SCRYPT_N: "8192", PASSWORD_SCRYPT_R: "8", PASSWORD_SCRYPT_P: "10" })).scrypt,
		).toEqual({ N: 8192, r: 8, p: 10 });
	});

	it("never falls back to the console sender", () => {
		for (const missing of ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_PHONE_NUMBER"]) {
			expect(() => parseConfig(production({ [missing]: "" }))).toThrow(ApiError);
		}
		expect(parseConfig(production()).sms.kind).toBe("twilio");
	});
});

describe("outside production", () => {
	it.each(["development", "test"])("%s without Twilio prints codes to the console", (environment) => {
		expect(parseConfig({ ENVIRONMENT: environment }).sms).toEqual({ kind: "console" });
	});

	it("counts empty and blank strings as unset", () => {
		const config = parseConfig(
			development({
				OTP_SECRET: "",
				TWILIO_ACCOUNT_SID: "",
				TWILIO_AUTH_TOKEN: " ",
				TWILIO_PHONE_NUMBER: "",
				TWILIO_MESSAGING_SERVICE_SID: "",
				JWT_SECRET: "",
			}),
		);
		expect(config.sms).toEqual({ kind: "console" });
		expect(config.otpSecret).not.toBe("");
		expect(config.tokens.accessSecret).not.toBe("");
		expect(config.tokens.refreshSecret).not.toBe(config.tokens.accessSecret);
	});

	it("uses Twilio as soon as it is fully configured", () => {
		const config = parseConfig(
			development({ TWILIO_ACCOUNT_SID: "AC1", TWILIO_AUTH_TOKEN: "t", TWILIO_MESSAGING_SERVICE_SID: "MG1" }),
		);
		expect(config.sms.kind).toBe("twilio");
	});

	it("applies the default for an empty numeric setting instead of reading it as 0", () => {
		const config = parseConfig(development({ OTP_RESEND_COOLDOWN_SECONDS: "", OTP_TTL_SECONDS: " " }));
		expect(config.otp.cooldownMs).toBe(30_000);
		expect(config.otp.ttlMs).toBe(300_000);
	});

	it.each([
		["a SID alone", { TWILIO_ACCOUNT_SID: "AC1" }, ["TWILIO_AUTH_TOKEN", "TWILIO_PHONE_NUMBER"]],
		["no sender", { TWILIO_ACCOUNT_SID: "AC1", TWILIO_AUTH_TOKEN: "t" }, ["TWILIO_PHONE_NUMBER"]],
		["no auth token", { TWILIO_ACCOUNT_SID: "AC1", TWILIO_PHONE_NUMBER: "+15005550006" }, ["TWILIO_AUTH_TOKEN"]],
	])("refuses half a Twilio setup (%s) rather than silently printing codes", (_, vars, names) => {
		const error = configError(development(vars));
		for (const name of names) expect(problemsOf(error)).toContain(name);
	});

	it("reads the sign-in throttle, the same lock-outs for accounts and addresses, and the account's ceiling", () => {
		const { login } = parseConfig(
			development({
				LOGIN_MAX_FAILURES: "3",
				LOGIN_IP_MAX_FAILURES: "20",
				LOGIN_LOCKOUT_SECONDS: " 30, 120 ",
				LOGIN_ACCOUNT_MAX_FAILURES_PER_DAY: "40",
				LOGIN_ACCOUNT_LOCKOUT_SECONDS: "600",
			}),
		);
		expect(login).toEqual({
			account: { maxFailures: 3, lockoutsMs: [30_000, 120_000], windowMs: 86_400_000 },
			ip: { maxFailures: 20, lockoutsMs: [30_000, 120_000], windowMs: 86_400_000 },
			accountMaxFailuresPerDay: 40,
			accountLockoutMs: 600_000,
		});
		expect(parseConfig(development()).login).toMatchObject({ accountMaxFailuresPerDay: 50, accountLockoutMs: 900_000 });
		expect(parseConfig(development({ LOGIN_LOCKOUT_SECONDS: "" })).login.account).toEqual({
			maxFailures: 5,
			lockoutsMs: [60_000, 300_000, 900_000],
			windowMs: 86_400_000,
		});
	});

	it.each([
		["LOGIN_LOCKOUT_SECONDS", "60,,900"],
		["LOGIN_LOCKOUT_SECONDS", "0"],
		["LOGIN_LOCKOUT_SECONDS", "60,forever"],
		["LOGIN_LOCKOUT_SECONDS", "90000"],
		["LOGIN_MAX_FAILURES", "0"],
		["ACCESS_TOKEN_TTL_SECONDS", "10"],
		["REFRESH_TOKEN_TTL_SECONDS", "60"],
		["JWT_ISSUER", " "],
		["IP_RATE_LIMITS", "maybe"],
		["IP_SENDS_PER_HOUR", "-1"],
		["SMS_BUDGET_PER_HOUR", "lots"],
		["SMS_ALLOWED_COUNTRIES", "USA"],
		["TURNSTILE_VERIFY_URL", "not a url"],
		["OTP_MAX_SENDS_PER_DAY", "0"],
	])("refuses %s=%j", (name, value) => {
		expect(configErrorMessage(development({ [name]: value }))).toContain(name);
	});

	it("reads the SMS protection settings, with safe defaults", () => {
		const defaults = parseConfig(development());
		expect(defaults.ipLimits).toEqual({ enabled: true, perHour: 20, perDay: 50 });
		expect(defaults.smsPolicy).toMatchObject({ budgetPerHour: 1000, budgetPerCountryPerHour: 200 });
		expect(defaults.turnstile).toBeUndefined();
		const set = parseConfig(
			development({
				IP_RATE_LIMITS: "off",
				SMS_BUDGET_PER_HOUR: "0",
				SMS_ALLOWED_COUNTRIES: "us, ca",
				TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA",
			}),
		);
		expect(set.ipLimits.enabled).toBe(false);
		expect(set.smsPolicy).toMatchObject({ budgetPerHour: 0, allowedCountries: ["US", "CA"] });
		expect(set.turnstile).toEqual({
			secretKey: "1x0000000000000000000000000000000AA",
			verifyUrl: "https://challenges.cloudflare.com/turnstile/v0/siteverify",
			timeoutMs: 5000,
			mode: "always",
			scriptUrl: "https://challenges.cloudflare.com/turnstile/v0/api.js",
		});
	});

	it("does not demand the production scrypt cost", () => {
		expect(parseConfig(development({ PASSWORD_SCRYPT_N: "1024", PASSWORD_SCRYPT_P: "1" })).scrypt.N).toBe(1024);
	});
});
