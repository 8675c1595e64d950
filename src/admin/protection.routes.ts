import { createRoute } from "@hono/zod-openapi";
import { errorResponses } from "../platform/error-schema";
import { bearerSecurity, jsonGate, jsonRequest, jsonResponse } from "../platform/openapi";
import { ProtectionResponse, SafeBody, SafeResponse, UnblockBody, UnblockResponse } from "./protection.schemas";
import { requireAdmin } from "./require-admin";

const admin = { tags: ["Admin"], security: bearerSecurity };

export const listProtection = createRoute({
	...admin,
	method: "get",
	path: "/protection",
	summary: "Number ranges the SMS protection is acting on, with their live figures",
	description:
		"Ranges whose guard refused sends (or, under observe, would have) in the last week, and ranges with a safe list: at most 100, the most recently reported first, each with what its guard says now. Requires `Bearer ADMIN_API_TOKEN`.",
	middleware: requireAdmin,
	responses: {
		200: jsonResponse(ProtectionResponse, "The ranges"),
		...errorResponses("UNAUTHORIZED", "SERVICE_UNAVAILABLE"),
	},
});

export const unblockRange = createRoute({
	...admin,
	method: "post",
	path: "/protection/unblock",
	summary: "Lift a range's throttle and block",
	description:
		"The range's guard forgets its recent unverified sends and any conversion-rate block; the codes verified there (its proven history) stay. Idempotent: a range with nothing to lift answers the same. Requires `Bearer ADMIN_API_TOKEN`.",
	middleware: [requireAdmin, jsonGate],
	request: { body: jsonRequest(UnblockBody) },
	responses: {
		200: jsonResponse(UnblockResponse, "Unblocked"),
		...errorResponses("UNAUTHORIZED", "SERVICE_UNAVAILABLE"),
	},
});

const safeDescription =
	"A range prefix (`range`) or one number (`phone`) whose sends the range guard never throttles and that draw on the budgets' reserve, like SMS_SAFE_RANGES, kept in the range's own guard object (no extra read per send). Idempotent. Requires `Bearer ADMIN_API_TOKEN`.";

export const addSafe = createRoute({
	...admin,
	method: "post",
	path: "/protection/safe",
	summary: "Safe-list a range prefix or a number (safe: false removes it)",
	description: safeDescription,
	middleware: [requireAdmin, jsonGate],
	request: { body: jsonRequest(SafeBody) },
	responses: {
		200: jsonResponse(SafeResponse, "The range's safe list"),
		...errorResponses("UNAUTHORIZED", "SERVICE_UNAVAILABLE"),
	},
});

export const removeSafe = createRoute({
	...admin,
	method: "delete",
	path: "/protection/safe",
	summary: "Take a range prefix or a number off the safe list",
	description: safeDescription,
	middleware: [requireAdmin, jsonGate],
	request: { body: jsonRequest(SafeBody) },
	responses: {
		200: jsonResponse(SafeResponse, "The range's safe list"),
		...errorResponses("UNAUTHORIZED", "SERVICE_UNAVAILABLE"),
	},
});
