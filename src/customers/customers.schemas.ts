import { z } from "@hono/zod-openapi";
import { normalizePhone } from "./phone";

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

const phone = z
	.string()
	.max(32)
	.transform((value, ctx) => {
		const normalized = normalizePhone(value);
		if (normalized) return normalized;
		ctx.addIssue({
			code: "custom",
			message: "must be an international number in E.164 form, like +14155552671",
		});
		return z.NEVER;
	})
	.openapi({
		type: "string",
		description: "International format; spaces, dashes, dots and parentheses are ignored, a leading 00 reads as +.",
		example: "+1 (415) 555-2671",
	});

const email = z
	.string()
	.trim()
	.toLowerCase()
	.pipe(z.email("must be a valid email address").max(254))
	.openapi({ type: "string", format: "email", example: "ada@example.com" });

const name = z
	.string()
	.trim()
	.min(1, "must not be empty")
	.max(100, "must be at most 100 characters")
	.regex(/^[^\p{Cc}]*$/u, "must not contain control characters")
	.openapi({ example: "Ada Lovelace" });

// Lengths count characters (code points), not UTF-16 units.
const password = z
	.string()
	.refine((p) => [...p].length >= PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
	.refine((p) => [...p].length <= PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`)
	.openapi({ type: "string", minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX, example: "correct horse battery" });

const otp = z
	.string()
	.regex(/^\d{6}$/, "must be the 6-digit code")
	.openapi({ example: "123456" });

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
	})
	.openapi("CustomerRegistered");
