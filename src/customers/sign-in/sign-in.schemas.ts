import { z } from "@hono/zod-openapi";
import { currentPassword, email, phone } from "../fields";

const token = (description: string) => z.string().min(1).max(4096).openapi({ description });

export const TokenFields = z.object({
	accessToken: z.string().openapi({
		description:
			"JWT (EdDSA or ES256, `kid` in the header) for `Authorization: Bearer`; other services verify it with `/.well-known/jwks.json`",
	}),
	refreshToken: z.string().openapi({ description: "Single use: each refresh returns a new one" }),
	tokenType: z.literal("Bearer"),
	expiresIn: z.number().int().openapi({ description: "Seconds until the access token expires", example: 900 }),
});

export const CustomerProfile = z
	.object({
		id: z.number().int(),
		name: z.string(),
		email: z.string(),
		phone: z.string(),
	})
	.openapi("Customer");

export const LoginBody = z
	.object({
		email: email.optional(),
		phone: phone.optional(),
		password: currentPassword,
		"cf-turnstile-response": z.string().optional().openapi({
			description:
				"A Turnstile token; needed (here or as a header of the same name) only once the account's daily ceiling of failed sign-ins is reached, when Turnstile is configured",
		}),
	})
	.superRefine((body, ctx) => {
		if (body.email !== undefined && body.phone !== undefined)
			ctx.addIssue({ code: "custom", path: ["email"], message: "give either email or phone, not both" });
		else if (body.email === undefined && body.phone === undefined)
			ctx.addIssue({ code: "custom", path: ["email"], message: "is required (or phone)" });
	})
	.openapi("LoginRequest", { description: "Either `email` or `phone`, and the password." });

export const RefreshBody = z.object({ refreshToken: token("The latest refresh token") }).openapi("RefreshRequest");

export const LoginResponse = z
	.object({ success: z.literal(true), ...TokenFields.shape, customer: CustomerProfile })
	.openapi("LoginResponse");

export const TokensResponse = z.object({ success: z.literal(true), ...TokenFields.shape }).openapi("TokensResponse");

export const LoggedOutResponse = z
	.object({
		success: z.literal(true),
		message: z.string(),
		sessionsRevoked: z.number().int().optional().openapi({ description: "logout-all: how many sessions ended" }),
	})
	.openapi("LoggedOut");
