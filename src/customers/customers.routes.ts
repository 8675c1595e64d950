import { createRoute } from "@hono/zod-openapi";
import { errorResponses } from "../http/error-schema";
import { jsonBody } from "../http/json-body";
import { OtpSentResponse, RegisteredResponse, ResendOtpBody, SendOtpBody, VerifyOtpBody } from "./customers.schemas";

const json = <T>(schema: T) => ({ content: { "application/json": { schema } }, required: true });
/** Runs before validation: 415 for non-JSON, 413 over 16 KB, 400 for malformed JSON. */
const middleware = jsonBody();
const ok = <T>(schema: T, description: string) => ({
	content: { "application/json": { schema } },
	description,
});

export const sendOtp = createRoute({
	method: "post",
	path: "/send-otp",
	tags: ["Registration"],
	summary: "Start a registration and text a 6-digit code to the phone",
	description:
		"Replaces any registration pending for the same phone. The password is hashed before anything is stored.",
	middleware,
	request: { body: json(SendOtpBody) },
	responses: {
		200: ok(OtpSentResponse, "Code sent"),
		...errorResponses("CUSTOMER_EXISTS", "RATE_LIMITED", "SMS_DELIVERY_FAILED", "SERVICE_UNAVAILABLE"),
	},
});

export const verifyOtp = createRoute({
	method: "post",
	path: "/verify-otp",
	tags: ["Registration"],
	summary: "Check the code and create the customer",
	middleware,
	request: { body: json(VerifyOtpBody) },
	responses: {
		201: ok(RegisteredResponse, "Customer registered"),
		...errorResponses(
			"OTP_INVALID",
			"OTP_NOT_FOUND",
			"OTP_EXPIRED",
			"OTP_TOO_MANY_ATTEMPTS",
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
	middleware,
	request: { body: json(ResendOtpBody) },
	responses: {
		200: ok(OtpSentResponse, "Code resent"),
		...errorResponses("OTP_NOT_FOUND", "OTP_EXPIRED", "RATE_LIMITED", "SMS_DELIVERY_FAILED"),
	},
});
