import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config";
import { configError, configErrorMessage, development, problemsOf } from "../support/config-fixtures";

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
				JWT_SIGNING_KEYS: " ",
			}),
		);
		expect(config.sms).toEqual({ kind: "console" });
		expect(config.otpSecret).not.toBe("");
		expect(config.tokens.signingKeys).toBeUndefined();
		expect(config.tokens.refreshSecret).not.toBe("");
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
