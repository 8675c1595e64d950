import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config";
import { ApiError } from "../../src/errors/errors";
import {
	AUTH_TOKEN,
	configError,
	configErrorMessage,
	JWT_REFRESH_32,
	problemsOf,
	production,
	SECRET_32,
} from "../support/config-fixtures";

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
				channels: { whatsappFrom: undefined, whatsappContentSids: new Map(), voiceFrom: "+15005550006" },
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
		["JWT_SIGNING_KEYS", undefined],
		["JWT_SIGNING_KEYS", " "],
		["JWT_REFRESH_SECRET", undefined],
		["JWT_REFRESH_SECRET", JWT_REFRESH_32.slice(5)],
	])("refuses %s=%j", (name, value) => {
		const error = configError(production({ [name]: value }));
		expect(problemsOf(error)).toContain(`${name} `);
		// The error is logged: it must never carry the secrets themselves.
		expect(problemsOf(error)).not.toContain(AUTH_TOKEN);
		expect(problemsOf(error)).not.toContain(SECRET_32.slice(1));
		expect(problemsOf(error)).not.toContain(JWT_REFRESH_32.slice(5));
	});

	it("no longer needs JWT_SECRET: access tokens are signed with JWT_SIGNING_KEYS", () => {
		expect(parseConfig(production({ JWT_SECRET: undefined })).tokens).not.toHaveProperty("accessSecret");
		expect(configErrorMessage(production({ JWT_SIGNING_KEYS: undefined }))).toContain(
			"JWT_SIGNING_KEYS must be set in production",
		);
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
			signingKeys: parseConfig(production()).tokens.signingKeys,
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
