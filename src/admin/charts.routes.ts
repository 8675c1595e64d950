import { createRoute } from "@hono/zod-openapi";
import { errorResponses } from "../platform/error-schema";
import { bearerSecurity, jsonResponse } from "../platform/openapi";
import {
	RatesQuery,
	RatesResponse,
	RecentRefusalsQuery,
	RecentRefusalsResponse,
	SeriesQuery,
	SeriesResponse,
} from "./charts.schemas";
import { requireAdmin } from "./require-admin";

const admin = { tags: ["Admin"], security: bearerSecurity, middleware: requireAdmin };

export const smsSeries = createRoute({
	...admin,
	method: "get",
	path: "/sms-series",
	summary: "SMS sends, deliveries, verifications and refusals per hour, day or week",
	description:
		"The operator console's time series, from the messages and refusals tables: every bucket of the window, oldest first. Sends and their outcomes count in the bucket of the send, verifications in the bucket of the verification. Requires `Bearer ADMIN_API_TOKEN`.",
	request: { query: SeriesQuery },
	responses: {
		200: jsonResponse(SeriesResponse, "The series"),
		...errorResponses("VALIDATION_ERROR", "UNAUTHORIZED", "SERVICE_UNAVAILABLE"),
	},
});

export const smsRates = createRoute({
	...admin,
	method: "get",
	path: "/sms-rates",
	summary: "Delivery rate and conversion by country or by number range",
	description:
		"SMS sent in the last hour, day or week, grouped by calling code or by range (the calling code and three digits, as the range guard names ranges), with the share delivered and the share of challenges verified. Requires `Bearer ADMIN_API_TOKEN`.",
	request: { query: RatesQuery },
	responses: {
		200: jsonResponse(RatesResponse, "The rates"),
		...errorResponses("VALIDATION_ERROR", "UNAUTHORIZED", "SERVICE_UNAVAILABLE"),
	},
});

export const recentRefusals = createRoute({
	...admin,
	method: "get",
	path: "/refusals/recent",
	summary: "Recent refused SMS sends, per hour, reason and calling code",
	description:
		"The refusals table as it is kept (one count per hour, reason, calling code and observed; there are no per-request rows) over the last `hours` hours, the current one included: the newest hour first, then the largest count, at most 200 rows. This isolate's counts are written first. Requires `Bearer ADMIN_API_TOKEN`.",
	request: { query: RecentRefusalsQuery },
	responses: {
		200: jsonResponse(RecentRefusalsResponse, "The counts"),
		...errorResponses("VALIDATION_ERROR", "UNAUTHORIZED", "SERVICE_UNAVAILABLE"),
	},
});
