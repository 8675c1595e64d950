import { createRoute } from "@hono/zod-openapi";
import { errorResponses } from "../http/error-schema";
import { jsonGate, jsonRequest, jsonResponse } from "../http/openapi";
import { SMS_SEND_ERRORS, smsSendGate } from "../protection/send-gate";
import { OtpSentResponse, RegisteredResponse, ResendOtpBody, SendOtpBody, VerifyOtpBody } from "./customers.schemas";

export const sendOtp = createRoute({
	method: "post",
	path: "/send-otp",
	tags: ["Registration"],
	summary: "Start a registration and text a 6-digit code to the phone",
	description:
		"Replaces any registration pending for the same phone. The password is hashed before anything is stored.",
	middleware: smsSendGate,
	request: { body: jsonRequest(SendOtpBody) },
	responses: {
		200: jsonResponse(OtpSentResponse, "Code sent"),
		...errorResponses("CUSTOMER_EXISTS", ...SMS_SEND_ERRORS, "SERVICE_UNAVAILABLE"),
	},
});

export const verifyOtp = createRoute({
	method: "post",
	path: "/verify-otp",
	tags: ["Registration"],
	summary: "Check the code and create the customer",
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
			"SERVICE_UNAVAILABLE",
		),
	},
});

export const resendOtp = createRoute({
	method: "post",
	path: "/resend-otp",
	tags: ["Registration"],
	summary: "Text a new code for the pending registration; the previous code stops working",
	middleware: smsSendGate,
	request: { body: jsonRequest(ResendOtpBody) },
	responses: {
		200: jsonResponse(OtpSentResponse, "Code resent"),
		...errorResponses("OTP_NOT_FOUND", "OTP_EXPIRED", ...SMS_SEND_ERRORS),
	},
});
