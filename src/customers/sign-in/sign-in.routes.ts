import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth";
import { errorResponses } from "../../platform/error-schema";
import { bearerSecurity, jsonGate, jsonRequest, jsonResponse } from "../../platform/openapi";
import { LoggedOutResponse, LoginBody, LoginResponse, RefreshBody, TokensResponse } from "./sign-in.schemas";

export const login = createRoute({
	method: "post",
	path: "/login",
	tags: ["Sessions"],
	summary: "Sign in with email or phone and password",
	description:
		"Unknown accounts and wrong passwords answer alike. After repeated failures from one client network, that network is locked for the account (and an IP address for every account) for a growing, bounded time; other networks sign in as usual. Past the account's daily ceiling of failures over every network, a Turnstile token (`cf-turnstile-response`, in the body or as a header) is required when Turnstile is configured: `CAPTCHA_REQUIRED` without one, `CAPTCHA_FAILED` for one siteverify refuses; without Turnstile, the account is locked for a bounded time.",
	middleware: jsonGate,
	request: { body: jsonRequest(LoginBody) },
	responses: {
		200: jsonResponse(LoginResponse, "Signed in"),
		...errorResponses(
			"INVALID_CREDENTIALS",
			"CAPTCHA_FAILED",
			"CAPTCHA_REQUIRED",
			"RATE_LIMITED",
			"SERVICE_UNAVAILABLE",
		),
	},
});

export const refresh = createRoute({
	method: "post",
	path: "/refresh",
	tags: ["Sessions"],
	summary: "Exchange a refresh token for new tokens; the old refresh token stops working",
	description: "Presenting a refresh token a second time signs out its whole session (`TOKEN_REUSED`).",
	middleware: jsonGate,
	request: { body: jsonRequest(RefreshBody) },
	responses: {
		200: jsonResponse(TokensResponse, "New tokens"),
		...errorResponses("UNAUTHORIZED", "TOKEN_REUSED"),
	},
});

export const logout = createRoute({
	method: "post",
	path: "/logout",
	tags: ["Sessions"],
	summary: "End the session a refresh token belongs to",
	middleware: jsonGate,
	request: { body: jsonRequest(RefreshBody) },
	responses: {
		200: jsonResponse(LoggedOutResponse, "Signed out"),
		...errorResponses("UNAUTHORIZED"),
	},
});

export const logoutAll = createRoute({
	method: "post",
	path: "/logout-all",
	tags: ["Sessions"],
	summary: "End every session of the signed-in customer",
	security: bearerSecurity,
	middleware: requireAuth,
	responses: {
		200: jsonResponse(LoggedOutResponse, "Every session ended"),
		...errorResponses("UNAUTHORIZED"),
	},
});
