import { expect } from "vitest";
import { parseConfig } from "../../src/config/config";
import { ApiError, ERROR_CODES } from "../../src/errors/errors";
import { TEST_SIGNING_KEYS } from "./signing-keys";

export const SECRET_32 = "0123456789abcdef0123456789abcdef";
export const AUTH_TOKEN = "twilio-auth-token-that-must-stay-secret";
export const JWT_REFRESH_32 = "jwt-refresh-secret-0123456789abcdef";

/** A production environment that passes; each test breaks one thing. */
export const production = (overrides: Record<string, unknown> = {}) => ({
	ENVIRONMENT: "production",
	OTP_SECRET: SECRET_32,
	TWILIO_ACCOUNT_SID: "AC0123",
	TWILIO_AUTH_TOKEN: AUTH_TOKEN,
	TWILIO_PHONE_NUMBER: "+15005550006",
	JWT_SIGNING_KEYS: TEST_SIGNING_KEYS,
	JWT_REFRESH_SECRET: JWT_REFRESH_32,
	RESEND_API_KEY: "re_live_key",
	EMAIL_FROM: "Acme <verify@acme.example>",
	...overrides,
});

export const development = (overrides: Record<string, unknown> = {}) => ({ ENVIRONMENT: "development", ...overrides });

/**
 * The CONFIGURATION_ERROR that parsing `env` throws; fails the test if it does
 * not throw one, or if its message (what a client sees) is not the generic one.
 */
export function configError(env: Record<string, unknown>): ApiError {
	try {
		parseConfig(env);
	} catch (err) {
		expect(err).toBeInstanceOf(ApiError);
		const error = err as ApiError;
		expect(error.code).toBe("CONFIGURATION_ERROR");
		expect(error.status).toBe(500);
		expect(error.message).toBe(ERROR_CODES.CONFIGURATION_ERROR.message);
		return error;
	}
	throw new Error(`parseConfig accepted ${JSON.stringify(env)}`);
}

/** The problems a CONFIGURATION_ERROR carries for the operator's log line (its cause's message). */
export function problemsOf(error: ApiError): string {
	expect(error.cause).toBeInstanceOf(Error);
	return (error.cause as Error).message;
}

/** The problems of {@link configError}, as the operator's log line shows them. */
export const configErrorMessage = (env: Record<string, unknown>): string => problemsOf(configError(env));
