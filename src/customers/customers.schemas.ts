import { z } from "@hono/zod-openapi";
import { TokenFields } from "../sessions/sessions.schemas";
import { email, name, otp, password, phone } from "./fields";

export const SendOtpBody = z.object({ name, email, phone, password }).openapi("SendOtpRequest");
export const VerifyOtpBody = z.object({ phone, otp }).openapi("VerifyOtpRequest");
export const ResendOtpBody = z.object({ phone }).openapi("ResendOtpRequest");

export const OtpSentResponse = z
	.object({
		success: z.literal(true),
		message: z.string(),
		phone: z.string().openapi({ example: "+14155552671" }),
		expiresIn: z.number().int().openapi({ description: "Seconds until the code expires", example: 300 }),
	})
	.openapi("OtpSent");

export const RegisteredResponse = z
	.object({
		success: z.literal(true),
		message: z.string(),
		customerId: z.number().int(),
		// Present unless the session could not be stored; the customer can then sign in.
		...TokenFields.partial().shape,
	})
	.openapi("CustomerRegistered");
