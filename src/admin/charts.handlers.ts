import type { RouteHandler } from "@hono/zod-openapi";
import { protectionStore } from "../abuse/protection-store";
import { flushProtectionLog } from "../abuse/refusals";
import { ApiError } from "../errors/errors";
import { messageCharts } from "../messaging/message-charts";
import type { AppEnv } from "../platform/app-env";
import { BUCKETS, bucketRange, rate } from "./buckets";
import type { recentRefusals, smsRates, smsSeries } from "./charts.routes";

const WINDOWS = { hour: BUCKETS.hour.size, day: BUCKETS.day.size, week: BUCKETS.week.size } as const;
const MAX_ROWS = 50;
const MAX_REFUSAL_ROWS = 200;

const iso = (ms: number) => new Date(ms).toISOString();

export const smsSeriesHandler: RouteHandler<typeof smsSeries, AppEnv> = async (c) => {
	const { bucket, count: asked } = c.req.valid("query");
	const spec = BUCKETS[bucket];
	const count = asked ?? spec.fallback;
	if (count > spec.max)
		throw new ApiError("VALIDATION_ERROR", `count: at most ${spec.max} buckets of a ${bucket}`, { field: "count" });
	const { from, to, starts } = bucketRange(c.get("now"), bucket, count);
	await flushProtectionLog(c.env.DB);
	const [messages, refused] = await Promise.all([
		messageCharts(c.env.DB).series(spec, from, to),
		protectionStore(c.env.DB).refusalSeries(spec, from, to),
	]);
	const sends = new Map(messages.sends.map((r) => [r.start, r]));
	const verified = new Map(messages.verified.map((r) => [r.start, r.verified]));
	const refusals = new Map(refused.map((r) => [r.start, r.refused]));
	const points = starts.map((start) => ({
		start: iso(start),
		sends: sends.get(start)?.sends ?? 0,
		delivered: sends.get(start)?.delivered ?? 0,
		failed: sends.get(start)?.failed ?? 0,
		verified: verified.get(start) ?? 0,
		refused: refusals.get(start) ?? 0,
	}));
	return c.json({ success: true as const, bucket, from: iso(from), to: iso(to), points }, 200);
};

export const smsRatesHandler: RouteHandler<typeof smsRates, AppEnv> = async (c) => {
	const { window, by } = c.req.valid("query");
	const now = c.get("now");
	const since = now - WINDOWS[window];
	// Inclusive of both ends, like /sms-stats: a message sent at the request's own ms counts.
	const groups = await messageCharts(c.env.DB).groups(by, since, now + 1, MAX_ROWS);
	const rows = groups.map((g) => ({
		key: g.key,
		sends: g.sends,
		delivered: g.delivered,
		failed: g.failed,
		deliveryRate: rate(g.delivered, g.sends),
		challenges: g.challenges,
		verified: g.verifiedChallenges,
		conversion: rate(g.verifiedChallenges, g.challenges),
	}));
	return c.json({ success: true as const, window, by, since: iso(since), rows }, 200);
};

export const recentRefusalsHandler: RouteHandler<typeof recentRefusals, AppEnv> = async (c) => {
	const { hours } = c.req.valid("query");
	const { from, to } = bucketRange(c.get("now"), "hour", hours);
	await flushProtectionLog(c.env.DB);
	// One row more than shown tells whether the list was cut.
	const found = await protectionStore(c.env.DB).recentRefusals(from, to, MAX_REFUSAL_ROWS + 1);
	const rows = found.slice(0, MAX_REFUSAL_ROWS).map((r) => ({
		hour: iso(r.hour),
		reason: r.reason,
		callingCode: r.callingCode,
		count: r.count,
		observed: r.observed,
	}));
	return c.json(
		{ success: true as const, hours, since: iso(from), rows, truncated: found.length > MAX_REFUSAL_ROWS },
		200,
	);
};
