import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/app-env";
import type { ErrorCode } from "../http/errors";
import { jsonGate } from "../http/openapi";
import { requireTurnstile } from "../turnstile/require-turnstile";
import { ipSendLimit } from "./ip-limit";

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
	"RATE_LIMITED",
	"SMS_DELIVERY_FAILED",
	"SMS_BUDGET_EXHAUSTED",
	"SMS_PREFIX_BLOCKED",
] as const satisfies readonly ErrorCode[];
