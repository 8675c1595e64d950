import { z } from "@hono/zod-openapi";
import { DELIVERIES } from "../../messaging/status";
import { email, name, otp, password, phone, registrationId } from "../fields";
import { TokenFields } from "../sign-in/sign-in.schemas";

export const SendOtpBody = z
	.object({
		name,
		email,
		phone,
		password,
		registrationId: registrationId.optional().openapi({
			description:
				"To change the details of your own pending registration: its id. Without it (or with an id that is no longer pending) a new registration starts; another pending registration for the phone is never touched.",
		}),
	})
	.openapi("SendOtpRequest");
export const VerifyOtpBody = z
	.object({ phone, otp, registrationId: registrationId.optional() })
	.openapi("VerifyOtpRequest");
const channel = z.enum(["sms", "email"]).openapi({
	description:
		"`email` sends the new code to the email of the pending registration (a fallback when SMS does not arrive); the code then verifies the email instead of the phone.",
});

export const ResendOtpBody = z
	.object({ phone, registrationId: registrationId.optional(), channel: channel.default("sms") })
	.openapi("ResendOtpRequest");

/** The same as a body, so neither the phone nor the id lands in a URL (and so in access logs). */
export const OtpStatusBody = z.object({ phone, registrationId }).openapi("OtpStatusRequest");

export const OtpStatusQuery = z.object({
	phone: phone.openapi({ param: { name: "phone", in: "query" } }),
	registrationId: registrationId.openapi({ param: { name: "registrationId", in: "query" } }),
});

const delivery = z.enum(DELIVERIES).openapi({
	description:
		"What the provider last reported for the latest code: `queued` (accepted, on its way), `sent` (handed to the carrier), `delivered`, or `failed` (it will not arrive: offer the email fallback).",
});

export const OtpSentResponse = z
	.object({
		success: z.literal(true),
		message: z.string(),
		phone: z.string().openapi({ example: "+14155552671" }),
		registrationId: z.string().optional().openapi({
			description:
				"Keep it: send it with verify-otp, resend-otp, otp-status and any change of details. resend-otp echoes it only when the request named it; send-otp always answers it.",
			example: "q1w2E3r4T5y6U7i8O9p0_A",
		}),
		channel,
		delivery,
		expiresIn: z.number().int().openapi({ description: "Seconds until the code expires", example: 300 }),
	})
	.openapi("OtpSent");

export const OtpStatusResponse = z
	.object({
		success: z.literal(true),
		phone: z.string().openapi({ example: "+14155552671" }),
		status: z.enum(["pending", "locked"]).openapi({
			description: "`locked`: the code took its last wrong guess; resend-otp issues a new one.",
		}),
		channel,
		delivery,
		expiresIn: z.number().int().openapi({ description: "Seconds until the code expires" }),
		attemptsRemaining: z.number().int(),
		resendIn: z.number().int().openapi({ description: "Seconds until resend-otp will accept a request; 0: now" }),
		emailFallback: z.boolean().openapi({ description: 'Whether resend-otp accepts `channel: "email"`' }),
	})
	.openapi("OtpStatus");

export const RegisteredResponse = z
	.object({
		success: z.literal(true),
		message: z.string(),
		customerId: z.number().int(),
		// Present unless the session could not be stored; the customer can then sign in.
		...TokenFields.partial().shape,
	})
	.openapi("CustomerRegistered");
