import { z } from "@hono/zod-openapi";

export const SeriesQuery = z.object({
	bucket: z
		.enum(["hour", "day", "week"])
		.default("hour")
		.openapi({ description: "Bucket size, on UTC (weeks start on Monday)" }),
	count: z.coerce.number().int().min(1).max(168).optional().openapi({
		description:
			"How many buckets, ending with the current one: at most 168 hours, 90 days or 52 weeks (default 24, 30, 12)",
		example: 24,
	}),
});

const SeriesPoint = z.object({
	start: z.iso.datetime(),
	sends: z.number().int().openapi({ description: "SMS sent in the bucket" }),
	delivered: z.number().int().openapi({ description: "Of those, delivered (or read)" }),
	failed: z.number().int().openapi({ description: "Of those, undelivered, failed or canceled" }),
	verified: z.number().int().openapi({ description: "Challenges with an SMS whose code was verified in the bucket" }),
	refused: z.number().int().openapi({
		description: "SMS sends the protection refused, counted per hour (not the observed ones)",
	}),
});

export const SeriesResponse = z
	.object({
		success: z.literal(true),
		bucket: z.enum(["hour", "day", "week"]),
		from: z.iso.datetime(),
		to: z.iso.datetime().openapi({ description: "The end of the current bucket (exclusive)" }),
		points: z.array(SeriesPoint).openapi({ description: "Every bucket, oldest first, zeros included" }),
	})
	.openapi("SmsSeries");

export const RatesQuery = z.object({
	window: z.enum(["hour", "day", "week"]).default("day").openapi({ description: "The last hour, day or week" }),
	by: z
		.enum(["country", "range"])
		.default("country")
		.openapi({ description: "`country`: calling code (`44`); `range`: calling code and three digits (`+44740`)" }),
});

const RateRow = z.object({
	key: z.string().openapi({ example: "+1876" }),
	sends: z.number().int(),
	delivered: z.number().int(),
	failed: z.number().int(),
	deliveryRate: z.number().nullable().openapi({ description: "delivered / sends" }),
	challenges: z.number().int().openapi({ description: "Registrations and resets sent a code by SMS" }),
	verified: z.number().int().openapi({ description: "Of those, verified" }),
	conversion: z.number().nullable().openapi({ description: "verified / challenges" }),
});

export const RatesResponse = z
	.object({
		success: z.literal(true),
		window: z.enum(["hour", "day", "week"]),
		by: z.enum(["country", "range"]),
		since: z.iso.datetime(),
		rows: z.array(RateRow).openapi({ description: "At most 50, the most sent first" }),
	})
	.openapi("SmsRates");

export const RecentRefusalsQuery = z.object({
	hours: z.coerce.number().int().min(1).max(168).default(24).openapi({
		description: "How many hours, ending with the current one (1 to 168)",
		example: 24,
	}),
});

const RecentRefusal = z.object({
	hour: z.iso.datetime().openapi({ description: "The start of the hour (UTC); refusals are counted per hour" }),
	reason: z
		.string()
		.openapi({ description: "The layer that refused, as in the logs' `reason`", example: "range_throttled" }),
	callingCode: z.string().openapi({
		description: "Without `+`; `unknown`: refused before the number was read",
		example: "1",
	}),
	count: z.number().int(),
	observed: z
		.boolean()
		.openapi({ description: "SMS_PROTECTION=observe let these through: they would have been refused" }),
});

export const RecentRefusalsResponse = z
	.object({
		success: z.literal(true),
		hours: z.number().int(),
		since: z.iso.datetime().openapi({ description: "The start of the first hour read" }),
		rows: z.array(RecentRefusal).openapi({
			description: "At most 200: the newest hour first, then the largest count",
		}),
		truncated: z.boolean().openapi({ description: "More rows matched than were returned" }),
	})
	.openapi("RecentRefusals");
