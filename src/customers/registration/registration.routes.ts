import { createRoute } from "@hono/zod-openapi";
import { SMS_SEND_ERRORS, smsSendGate } from "../../abuse/send-gate";
import { errorResponses } from "../../platform/error-schema";
import { jsonGate, jsonRequest, jsonResponse } from "../../platform/openapi";
import {
	OtpSentResponse,
	OtpStatusBody,
	OtpStatusQuery,
	OtpStatusResponse,
	RegisteredResponse,
	ResendOtpBody,
	SendOtpBody,
	VerifyOtpBody,
} from "./registration.schemas";

export const sendOtp = createRoute({
	method: "post",
	path: "/send-otp",
	tags: ["Registration"],
	summary: "Start a registration and send a 6-digit code to the phone (SMS, WhatsApp or a voice call)",
	description:
		"Answers a `registrationId`: keep it and send it with verify-otp, resend-otp and otp-status. With the id of your own pending registration, replaces its details; otherwise starts a separate registration and never touches another one pending for the same phone (one per client network, at most OTP_MAX_PENDING_PER_PHONE per phone). The password is hashed before anything is stored. `channel` must be in OTP_CHANNELS (403 CHANNEL_UNAVAILABLE; a call also needs the number's country in OTP_CALL_COUNTRIES); every channel passes the same caps, budgets and range guard as SMS. The registration's language (`locale`, else Accept-Language, else DEFAULT_LOCALE) carries over to resends and the automatic fallback.",
	middleware: smsSendGate,
	request: { body: jsonRequest(SendOtpBody) },
	responses: {
		200: jsonResponse(OtpSentResponse, "Code sent"),
		...errorResponses(
			"CUSTOMER_EXISTS",
			"CHANNEL_UNAVAILABLE",
			"CHANNEL_UNREACHABLE",
			...SMS_SEND_ERRORS,
			"SERVICE_UNAVAILABLE",
		),
	},
});

export const verifyOtp = createRoute({
	method: "post",
	path: "/verify-otp",
	tags: ["Registration"],
	summary: "Check the code and create the customer",
	description:
		"With `registrationId`, checks only that registration. Without it (unless REGISTRATION_ID_REQUIRED=true), works while exactly one registration is pending for the phone; with several it answers 409 REGISTRATION_ID_REQUIRED and counts nothing.",
	middleware: jsonGate,
	request: { body: jsonRequest(VerifyOtpBody) },
	responses: {
		201: jsonResponse(RegisteredResponse, "Customer registered"),
		...errorResponses(
			"OTP_INVALID",
			"OTP_NOT_FOUND",
			"OTP_EXPIRED",
			"OTP_TOO_MANY_ATTEMPTS",
			"RATE_LIMITED",
			"CUSTOMER_EXISTS",
			"REGISTRATION_ID_REQUIRED",
			"SERVICE_UNAVAILABLE",
		),
	},
});

export const resendOtp = createRoute({
	method: "post",
	path: "/resend-otp",
	tags: ["Registration"],
	summary:
		"Send a new code for the pending registration, by SMS, WhatsApp, voice call or email; the previous code stops working",
	description:
		"Every channel shares the cooldown and the hourly and daily caps. An email goes only to the address the registration was started with. A channel not in OTP_CHANNELS answers 403 CHANNEL_UNAVAILABLE; a number the channel cannot reach (WhatsApp 63003) 422 CHANNEL_UNREACHABLE, and the code held before stays. The message speaks the registration's language.",
	middleware: smsSendGate,
	request: { body: jsonRequest(ResendOtpBody) },
	responses: {
		200: jsonResponse(OtpSentResponse, "Code resent"),
		...errorResponses(
			"OTP_NOT_FOUND",
			"OTP_EXPIRED",
			"REGISTRATION_ID_REQUIRED",
			"CHANNEL_UNAVAILABLE",
			"CHANNEL_UNREACHABLE",
			"EMAIL_DELIVERY_FAILED",
			"SERVICE_UNAVAILABLE",
			...SMS_SEND_ERRORS,
		),
	},
});

/** otp-status as a POST: what the bundled page uses. */
export const otpStatusByBody = createRoute({
	method: "post",
	path: "/otp-status",
	tags: ["Registration"],
	summary: "Where the pending registration stands (the phone and registrationId in the body, out of every URL)",
	description:
		"The same answer as `GET /otp-status`. Prefer it: a URL (and with it the phone and the registrationId, which lets its holder change the registration) is kept by access logs and proxies.",
	middleware: jsonGate,
	request: { body: jsonRequest(OtpStatusBody) },
	responses: {
		200: jsonResponse(OtpStatusResponse, "A registration is pending"),
		...errorResponses("OTP_NOT_FOUND", "OTP_EXPIRED"),
	},
});

export const otpStatus = createRoute({
	method: "get",
	path: "/otp-status",
	tags: ["Registration"],
	summary: "Where the pending registration stands: delivery of the latest code, attempts, resend wait",
	description:
		"Poll it after send-otp: `deliveries` shows each channel tried, and `nextChannel` the one to offer once the latest code is known to have failed (or is slow). Holds no code and no personal data.",
	request: { query: OtpStatusQuery },
	responses: {
		200: jsonResponse(OtpStatusResponse, "A registration is pending"),
		...errorResponses("OTP_NOT_FOUND", "OTP_EXPIRED"),
	},
});
