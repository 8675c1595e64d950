import { z } from "@hono/zod-openapi";
import { currentPassword, otp, password, phone } from "../fields";
import { CustomerProfile } from "../sign-in/sign-in.schemas";

export const MeResponse = z
	.object({
		success: z.literal(true),
		customer: CustomerProfile.extend({
			phoneVerifiedAt: z.iso.datetime().nullable(),
			emailVerifiedAt: z.iso.datetime().nullable(),
			createdAt: z.iso.datetime(),
		}),
	})
	.openapi("Me");

export const DeleteAccountBody = z.object({ password: currentPassword }).openapi("DeleteAccountRequest");

export const ResetSendBody = z.object({ phone }).openapi("PasswordResetSendRequest");

export const ResetVerifyBody = z.object({ phone, otp, newPassword: password }).openapi("PasswordResetVerifyRequest");

export const DoneResponse = z.object({ success: z.literal(true), message: z.string() }).openapi("Done");

export const ResetSentResponse = z
	.object({
		success: z.literal(true),
		message: z.string(),
		expiresIn: z.number().int().openapi({ description: "Seconds a code, if one was sent, stays valid", example: 300 }),
	})
	.openapi("PasswordResetSent");
