import { z } from "@hono/zod-openapi";
import { phone } from "../customers/fields";

const range = z
	.string()
	.max(32)
	.openapi({ description: "A number range: `+`, the calling code and the next three digits", example: "+1876" });

/** One range the protection acts on, with its guard's live figures. */
export const ProtectedRangeSchema = z
	.object({
		range: z.string().openapi({ example: "+1876" }),
		callingCode: z.string().openapi({ example: "1" }),
		state: z.enum(["blocked", "throttled", "throttled_suspect", "clear"]).openapi({
			description:
				"Now: `blocked` (conversion rate, SMS_PREFIX_BLOCKED), `throttled` (the range or one of its blocks has no room, SMS_RANGE_THROTTLED), `throttled_suspect` (no room for requests carrying a signal, which get half), `clear`",
		}),
		reported: z.object({
			state: z.enum(["blocked", "throttled", "clear"]),
			since: z.iso.datetime().openapi({ description: "When the episode of refusals began" }),
			updatedAt: z.iso.datetime(),
		}),
		unverified: z
			.number()
			.int()
			.openapi({ description: "Sends to the range not verified, in SMS_RANGE_WINDOW_SECONDS" }),
		allowance: z.number().int().openapi({ description: "The range's room for unverified sends (more with history)" }),
		sends: z.number().int(),
		verified: z.number().int(),
		provenVerified: z.number().int().openapi({ description: "Codes verified in the range in SMS_RANGE_PROVEN_DAYS" }),
		blocks: z.number().int().openapi({ description: "Blocks (NANP exchanges, or five digits) with recent sends" }),
		throttledBlocks: z.number().int().openapi({ description: "Blocks at their room" }),
		blockedFor: z.number().int().openapi({ description: "Seconds until the conversion-rate block ends; 0: none" }),
		refusals: z
			.number()
			.int()
			.openapi({ description: "Sends refused (observed, under observe) in the latest episode" }),
		lastRefusedAt: z.iso.datetime().nullable(),
		safe: z.array(z.string()).openapi({ description: "The range's own safe list: prefixes and numbers" }),
	})
	.openapi("ProtectedRange");

export const ProtectionResponse = z
	.object({
		success: z.literal(true),
		generatedAt: z.iso.datetime(),
		level: z.enum(["observe", "standard", "strict"]).openapi({ description: "SMS_PROTECTION" }),
		ranges: z.array(ProtectedRangeSchema),
	})
	.openapi("Protection");

export const UnblockBody = z.object({ range }).openapi("UnblockRange");

export const UnblockResponse = z
	.object({ success: z.literal(true), message: z.string(), range: ProtectedRangeSchema })
	.openapi("RangeUnblocked");

/** Exactly one of `range` and `phone`. */
export const SafeBody = z
	.object({
		range: z.string().max(32).optional().openapi({
			description:
				"A prefix of at least a whole range: the range (`+1876`), a block (`+1876555`), any longer prefix. Broader prefixes belong in SMS_SAFE_RANGES.",
			example: "+1876555",
		}),
		phone: phone.optional(),
		safe: z.boolean().default(true).openapi({ description: "false removes the entry (as DELETE does)" }),
	})
	.openapi("SafeEntry");

export const SafeResponse = z
	.object({
		success: z.literal(true),
		range: z.string().openapi({ description: "The range whose guard holds the entry", example: "+1876" }),
		entry: z.string().openapi({ example: "+1876555" }),
		safe: z.boolean(),
		changed: z.boolean().openapi({ description: "false: it already was so (the call is idempotent)" }),
		safeList: z.array(z.string()),
	})
	.openapi("SafeEntryResult");
