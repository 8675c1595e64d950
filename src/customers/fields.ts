import { z } from "@hono/zod-openapi";
import { readPhone } from "../phone/normalize";

/** The request fields every route shares: one definition, one normalisation, one message. */

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** A phone number, read once into its facts (`Phone`): every layer below gets the parsed value. */
export const phone = z
	.string()
	.max(32)
	.transform((value, ctx) => {
		const read = readPhone(value);
		if (read) return read;
		ctx.addIssue({
			code: "custom",
			message: "must be an international number in E.164 form, like +14155552671",
		});
		return z.NEVER;
	})
	.openapi({
		type: "string",
		description:
			"International format; spaces, dashes, dots and parentheses are ignored, a leading 00 reads as +, a national trunk 0 after the country code is dropped. Must be a valid number for its country (PHONE_VALIDATION=possible: of a possible length).",
		example: "+1 (415) 555-2671",
	});

export const email = z
	.string()
	.trim()
	.toLowerCase()
	.pipe(z.email("must be a valid email address").max(254))
	.openapi({ type: "string", format: "email", example: "ada@example.com" });

export const name = z
	.string()
	.trim()
	.min(1, "must not be empty")
	.max(100, "must be at most 100 characters")
	.regex(/^[^\p{Cc}]*$/u, "must not contain control characters")
	.openapi({ example: "Ada Lovelace" });

// Lengths count characters (code points), not UTF-16 units.
export const password = z
	.string()
	.refine((p) => [...p].length >= PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
	.refine((p) => [...p].length <= PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`)
	.openapi({ type: "string", minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX, example: "correct horse battery" });

export const otp = z
	.string()
	.regex(/^\d{6}$/, "must be the 6-digit code")
	.openapi({ example: "123456" });

/** A password as typed at sign-in: any length up to the maximum, so no rule of today locks out an older password. */
export const currentPassword = z
	.string()
	.min(1, "must not be empty")
	.refine((p) => [...p].length <= PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`)
	.openapi({ type: "string", maxLength: PASSWORD_MAX, example: "correct horse battery" });

/** A registration's id as send-otp answered it: opaque, URL-safe. */
export const registrationId = z
	.string()
	.regex(/^[A-Za-z0-9_-]{22,64}$/, "must be the registrationId send-otp answered")
	.openapi({
		description:
			"The id send-otp answered for this registration. It keeps the registration yours: without it, verify-otp and resend-otp work only while exactly one registration is pending for the phone.",
		example: "q1w2E3r4T5y6U7i8O9p0_A",
	});
