import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { ApiError, type ErrorCode } from "../errors/errors";
import { readPhone } from "../phone/normalize";
import type { AppEnv } from "../platform/app-env";
import { jsonGate } from "../platform/openapi";
import { ipSendLimit } from "./ip-limit";
import { type RefusalReason, refusal } from "./refusals";
import { requireTurnstile } from "./require-turnstile";

/** Refusals thrown on a sending route by layers that do not count their own (the others call `refusal`). */
const THROWN_REFUSALS: Readonly<Record<string, RefusalReason>> = {
	COUNTRY_NOT_ALLOWED: "country",
	CAPTCHA_FAILED: "challenge",
	CAPTCHA_REQUIRED: "challenge",
};

/** Logs and counts the refusals of THROWN_REFUSALS once the route has answered. */
const countThrownRefusals = createMiddleware<AppEnv>(async (c, next) => {
	await next();
	const reason = c.error instanceof ApiError ? THROWN_REFUSALS[c.error.code] : undefined;
	if (!reason) return;
	refusal(reason, { ...(await numberOf(c)), code: (c.error as ApiError).code });
});

/** The number the refused request named, masked, as its log line has it or (refused before validation) its body. */
async function numberOf(c: Context<AppEnv>): Promise<{ callingCode?: string; phone?: string }> {
	const logged = c.get("log");
	if (logged?.callingCode) return { callingCode: logged.callingCode, phone: logged.phone };
	const body = (await c.req.json().catch(() => null)) as { phone?: unknown } | null;
	const phone = typeof body?.phone === "string" ? readPhone(body.phone) : null;
	return phone ? { callingCode: phone.callingCode, phone: phone.masked } : {};
}

/**
 * The middleware of every route that can send an SMS: the count of refusals
 * thrown below it, the per-address limits (first, so even malformed floods
 * count), the JSON gate, then the optional bot check.
 */
export const smsSendGate: MiddlewareHandler<AppEnv>[] = [countThrownRefusals, ipSendLimit, jsonGate, requireTurnstile];

/** What any route that texts a code in its answer can refuse with, besides its own errors. */
export const SMS_SEND_ERRORS = [
	"COUNTRY_NOT_ALLOWED",
	"CAPTCHA_FAILED",
	"CAPTCHA_REQUIRED",
	"RATE_LIMITED",
	"SMS_DELIVERY_FAILED",
	"SMS_BUDGET_EXHAUSTED",
	"SMS_PREFIX_BLOCKED",
	"SMS_RANGE_THROTTLED",
	"COUNTRY_MISMATCH",
] as const satisfies readonly ErrorCode[];
