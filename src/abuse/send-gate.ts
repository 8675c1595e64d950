import type { MiddlewareHandler } from "hono";
import type { ErrorCode } from "../errors/errors";
import type { AppEnv } from "../platform/app-env";
import { jsonGate } from "../platform/openapi";
import { ipSendLimit } from "./ip-limit";
import { requireTurnstile } from "./require-turnstile";

/**
 * The middleware of every route that can send an SMS: the per-address limits
 * (first, so even malformed floods count), the JSON gate, then the optional
 * bot check.
 */
export const smsSendGate: MiddlewareHandler<AppEnv>[] = [ipSendLimit, jsonGate, requireTurnstile];

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
] as const satisfies readonly ErrorCode[];
