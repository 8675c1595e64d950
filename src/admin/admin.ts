import { createRoute, z } from "@hono/zod-openapi";
import { protectionStore } from "../abuse/protection-store";
import { flushProtectionLog, REFUSAL_REASONS } from "../abuse/refusals";
import { messageRepository } from "../messaging/message-log";
import { createRouter } from "../platform/create-router";
import { errorResponses } from "../platform/error-schema";
import { bearerSecurity, jsonResponse } from "../platform/openapi";
import { recentRefusalsHandler, smsRatesHandler, smsSeriesHandler } from "./charts.handlers";
import { recentRefusals, smsRates, smsSeries } from "./charts.routes";
import { addSafeHandler, listProtectionHandler, removeSafeHandler, unblockRangeHandler } from "./protection.handlers";
import { addSafe, listProtection, removeSafe, unblockRange } from "./protection.routes";
import { type RefusalWindow, refusalWindowStart, summarizeRefusals } from "./refusal-stats";
import { requireAdmin } from "./require-admin";
import { summarize } from "./sms-stats";

const HOUR_MS = 3_600_000;
const WINDOWS = { hour: HOUR_MS, day: 24 * HOUR_MS, week: 7 * 24 * HOUR_MS } as const;

const SmsStats = z.object({
	sends: z.number().int(),
	delivered: z.number().int(),
	failed: z.number().int(),
	pending: z.number().int(),
	deliveryRate: z.number().nullable().openapi({ description: "delivered / sends; null without sends" }),
	verificationRate: z.number().nullable().openapi({
		description: "Registrations and resets whose code was verified, over those sent a code",
	}),
	failuresByErrorCode: z.record(z.string(), z.number().int()).openapi({ example: { "30003": 2, "30005": 1 } }),
});

const ChannelStats = SmsStats.pick({
	sends: true,
	delivered: true,
	failed: true,
	deliveryRate: true,
	verificationRate: true,
});

const WindowStats = SmsStats.extend({
	since: z.iso.datetime(),
	emailFallback: z.object({ sends: z.number().int(), verificationRate: z.number().nullable() }),
	whatsapp: ChannelStats.openapi({ description: "Codes sent as WhatsApp messages (not in the SMS figures)" }),
	call: ChannelStats.openapi({ description: "Codes read out in voice calls (not in the SMS figures)" }),
	byCountry: z.record(z.string(), SmsStats).openapi({ description: "Keyed by country calling code, like `44`" }),
});

const counts = z.record(z.string(), z.number().int()).openapi({
	description: `Keyed by reason: ${REFUSAL_REASONS.map((r) => `\`${r}\``).join(", ")}`,
	example: { range_throttled: 40, budget: 3 },
});

const RefusalCountsStats = z.object({
	total: z.number().int(),
	byReason: counts,
	byCallingCode: z
		.record(z.string(), z.object({ total: z.number().int(), byReason: counts }))
		.openapi({ description: "Keyed by calling code, like `1`; `unknown`: refused before the number was read" }),
});

const RefusalWindowStats = RefusalCountsStats.extend({
	since: z.iso.datetime().openapi({ description: "The start of the first hour counted (refusals are kept per hour)" }),
	observed: RefusalCountsStats.openapi({
		description: "What SMS_PROTECTION=observe let through and would have refused",
	}),
});

const SmsStatsResponse = z
	.object({
		success: z.literal(true),
		generatedAt: z.iso.datetime(),
		hour: WindowStats,
		day: WindowStats,
		week: WindowStats,
		refusals: z
			.object({ hour: RefusalWindowStats, day: RefusalWindowStats, week: RefusalWindowStats })
			.openapi({ description: "Refused SMS sends, per window, by reason and calling code" }),
	})
	.openapi("SmsStats");

const smsStats = createRoute({
	method: "get",
	path: "/sms-stats",
	tags: ["Admin"],
	summary: "SMS sends, delivery, failures by Twilio error code and verification rate, per country",
	description:
		"Over the last hour, day and week, from the messages table, and the sends the protection layers refused (counted per hour; an isolate writes its counts every 10 s or so, and this one's first). Requires `Bearer ADMIN_API_TOKEN`.",
	security: bearerSecurity,
	middleware: requireAdmin,
	responses: {
		200: jsonResponse(SmsStatsResponse, "The numbers"),
		...errorResponses("UNAUTHORIZED", "SERVICE_UNAVAILABLE"),
	},
});

/** `/api/admin`: operator endpoints. */
export const adminRouter = createRouter();

adminRouter
	.openapi(listProtection, listProtectionHandler)
	.openapi(unblockRange, unblockRangeHandler)
	.openapi(addSafe, addSafeHandler)
	.openapi(removeSafe, removeSafeHandler)
	.openapi(smsSeries, smsSeriesHandler)
	.openapi(smsRates, smsRatesHandler)
	.openapi(recentRefusals, recentRefusalsHandler);

adminRouter.openapi(smsStats, async (c) => {
	const now = c.get("now");
	const since = Object.values(WINDOWS).map((ms) => now - ms);
	const hours = Object.values(WINDOWS).map((ms) => refusalWindowStart(now, ms));
	await flushProtectionLog(c.env.DB);
	const [windows, refused] = await Promise.all([
		messageRepository(c.env.DB).windows(since, now),
		protectionStore(c.env.DB).refusalWindows(hours, now),
	]);
	const [hour, day, week] = since.map((from, i) =>
		summarize(from, windows[i]?.counts ?? [], windows[i]?.failures ?? []),
	);
	const [rHour, rDay, rWeek] = hours.map((from, i) => summarizeRefusals(from, refused[i] ?? [])) as RefusalWindow[];
	return c.json(
		{
			success: true as const,
			generatedAt: new Date(now).toISOString(),
			hour: hour as ReturnType<typeof summarize>,
			day: day as ReturnType<typeof summarize>,
			week: week as ReturnType<typeof summarize>,
			refusals: { hour: rHour as RefusalWindow, day: rDay as RefusalWindow, week: rWeek as RefusalWindow },
		},
		200,
	);
});
