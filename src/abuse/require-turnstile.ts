import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { TurnstileConfig } from "../config/config";
import { ApiError } from "../errors/errors";
import type { AppEnv } from "../platform/app-env";
import { log } from "../platform/log";
import { clientIp } from "./client-network";
import { verifyTurnstile } from "./turnstile";

/** Where a client puts its token: the body field Turnstile's widget fills in, or a header of the same name. */
const FIELD = "cf-turnstile-response";

/**
 * When TURNSTILE_SECRET_KEY is set, admits only requests carrying a token
 * siteverify accepts (solved on TURNSTILE_EXPECTED_HOSTNAME, when that is
 * set): 403 CAPTCHA_FAILED otherwise. If siteverify cannot
 * answer, the request is refused with 503 rather than let through: an SMS is
 * what this check protects. Runs after the JSON gate, which parsed the body.
 */
export const requireTurnstile = createMiddleware<AppEnv>(async (c, next) => {
	const config = c.get("config").turnstile;
	if (config) await requireHuman(c, config);
	return next();
});

/**
 * Throws unless the request carries a token siteverify accepts: 403
 * CAPTCHA_FAILED for a missing or refused token, 503 SERVICE_UNAVAILABLE when
 * siteverify gives no verdict. For routes whose JSON gate has checked the body.
 */
export async function requireHuman(c: Context<AppEnv>, config: TurnstileConfig): Promise<void> {
	const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
	const fromBody = body && typeof body[FIELD] === "string" ? (body[FIELD] as string) : undefined;
	const token = fromBody ?? c.req.header(FIELD);
	const outcome = await verifyTurnstile(config, token, clientIp(c.req.raw));
	if (outcome.ok) return;
	if (outcome.reason === "unavailable") {
		log("error", "turnstile_unavailable", { errorCodes: outcome.errorCodes });
		throw new ApiError("SERVICE_UNAVAILABLE");
	}
	throw new ApiError("CAPTCHA_FAILED", outcome.reason === "missing" ? `The ${FIELD} token is required` : undefined, {
		field: FIELD,
	});
}
