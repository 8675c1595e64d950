import { createRoute } from "@hono/zod-openapi";
import { smsSendGate } from "../../abuse/send-gate";
import { requireAuth } from "../../auth/require-auth";
import { errorResponses } from "../../platform/error-schema";
import { bearerSecurity, jsonGate, jsonRequest, jsonResponse } from "../../platform/openapi";
import {
	DeleteAccountBody,
	DoneResponse,
	MeResponse,
	ResetSendBody,
	ResetSentResponse,
	ResetVerifyBody,
} from "./account.schemas";

export const getMe = createRoute({
	method: "get",
	path: "/me",
	tags: ["Account"],
	summary: "The signed-in customer's profile",
	security: bearerSecurity,
	middleware: requireAuth,
	responses: {
		200: jsonResponse(MeResponse, "The profile"),
		...errorResponses("UNAUTHORIZED"),
	},
});

export const deleteMe = createRoute({
	method: "delete",
	path: "/me",
	tags: ["Account"],
	summary: "Delete the account and every session; the email and phone number become free",
	description: "Needs the current password as well as the access token. Wrong passwords are throttled like sign-ins.",
	security: bearerSecurity,
	middleware: [requireAuth, jsonGate] as const,
	request: { body: jsonRequest(DeleteAccountBody) },
	responses: {
		200: jsonResponse(DoneResponse, "Account deleted"),
		...errorResponses(
			"UNAUTHORIZED",
			"INVALID_CREDENTIALS",
			"CAPTCHA_FAILED",
			"CAPTCHA_REQUIRED",
			"RATE_LIMITED",
			"SERVICE_UNAVAILABLE",
		),
	},
});

export const sendResetOtp = createRoute({
	method: "post",
	path: "/password-reset/send-otp",
	tags: ["Password reset"],
	summary: "Text a password-reset code to a registered phone",
	description:
		"Answers the same whether or not the number is registered, and texts only registered ones. Codes follow the registration rules (expiry, attempts, cooldown, hourly cap).",
	middleware: smsSendGate,
	request: { body: jsonRequest(ResetSendBody) },
	responses: {
		200: jsonResponse(ResetSentResponse, "Accepted"),
		...errorResponses("COUNTRY_NOT_ALLOWED", "CAPTCHA_FAILED", "RATE_LIMITED"),
	},
});

export const verifyReset = createRoute({
	method: "post",
	path: "/password-reset/verify",
	tags: ["Password reset"],
	summary: "Check the code and set a new password; every session is signed out",
	middleware: jsonGate,
	request: { body: jsonRequest(ResetVerifyBody) },
	responses: {
		200: jsonResponse(DoneResponse, "Password changed"),
		...errorResponses(
			"OTP_INVALID",
			"OTP_NOT_FOUND",
			"OTP_EXPIRED",
			"OTP_TOO_MANY_ATTEMPTS",
			"RATE_LIMITED",
			"SERVICE_UNAVAILABLE",
		),
	},
});
