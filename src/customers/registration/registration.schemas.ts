import { z } from "@hono/zod-openapi";
import { CHANNELS } from "../../config/channels-env";
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
		channel: z.enum(["sms", "whatsapp", "call"]).default("sms").openapi({
			description:
				"How the code travels: `sms` (the default), `whatsapp` (an authentication template), or `call` (read out in a voice call). Only the channels in OTP_CHANNELS; others answer 403 CHANNEL_UNAVAILABLE, as does a call to a country outside OTP_CALL_COUNTRIES.",
		}),
		locale: z
			.string()
			.max(35)
			.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, "must be a BCP 47 language tag, like pt-BR")
			.optional()
			.openapi({
				description:
					"The language of the code's messages (BCP 47, like `pt-BR`); else the request's Accept-Language, else DEFAULT_LOCALE. Resends and the automatic fallback keep it.",
				example: "es",
			}),
	})
	.openapi("SendOtpRequest");
export const VerifyOtpBody = z
	.object({ phone, otp, registrationId: registrationId.optional() })
	.openapi("VerifyOtpRequest");
const channel = z.enum(CHANNELS).openapi({
	description:
		"`sms`, `whatsapp` or `call` reach the phone; `email` sends the new code to the email of the pending registration (resend-otp only, a fallback when the phone is not reached); the code then verifies the email instead of the phone.",
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
		"What the provider last reported for the latest code: `queued` (accepted, on its way), `sent` (handed to the carrier; a call: answered), `delivered` (a call: completed), or `failed` (it will not arrive: offer `nextChannel`).",
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
		deliveries: z.partialRecord(z.enum(CHANNELS), z.enum(DELIVERIES)).openapi({
			description:
				'Every channel tried for this registration and what its latest code became, like `{"sms":"failed","whatsapp":"delivered"}`.',
		}),
		nextChannel: z.enum(CHANNELS).nullable().openapi({
			description:
				"The channel to offer next: the first of OTP_CHANNEL_ORDER that is enabled, allowed for the number's country and not tried yet, then `email` when enabled; null when none is left.",
		}),
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
