import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { TurnstileConfig } from "../config/config";
import { ApiError } from "../errors/errors";
import type { AppEnv } from "../platform/app-env";
import { log } from "../platform/log";
import { TURNSTILE_FIELD } from "./challenge-needed";
import { clientIp } from "./client-network";
import { verifyTurnstile } from "./turnstile";

/**
 * The bot check of the routes that send SMS, when TURNSTILE_SECRET_KEY is set.
 * Mode `always`: admits only requests carrying a token siteverify accepts
 * (solved on TURNSTILE_EXPECTED_HOSTNAME, when that is set), 403
 * CAPTCHA_FAILED otherwise, missing or refused. Mode `pressure`: a request
 * without a token passes (the send pipeline may still ask for one, see
 * `challengeNeeded`); one with a token has it verified like in `always`.
 * Either way a verified token marks the request `human`. If siteverify
 * cannot answer, the request is refused with 503 rather than let through: an
 * SMS is what this check protects. Runs after the JSON gate, which parsed the body.
 */
export const requireTurnstile = createMiddleware<AppEnv>(async (c, next) => {
	const config = c.get("config").turnstile;
	if (config?.mode === "always") await requireHuman(c, config, "CAPTCHA_FAILED");
	else if (config) {
		const token = await tokenOf(c);
		if (token) await verifyHuman(c, config, token);
	}
	return next();
});

/**
 * Throws unless the request carries a token siteverify accepts: 403 `missing`
 * (CAPTCHA_REQUIRED unless told otherwise) without one, 403 CAPTCHA_FAILED
 * for a refused one, 503 SERVICE_UNAVAILABLE when siteverify gives no
 * verdict. For routes whose JSON gate has checked the body.
 */
export async function requireHuman(
	c: Context<AppEnv>,
	config: TurnstileConfig,
	missing: "CAPTCHA_REQUIRED" | "CAPTCHA_FAILED" = "CAPTCHA_REQUIRED",
): Promise<void> {
	const token = await tokenOf(c);
	if (!token) {
		const message = missing === "CAPTCHA_FAILED" ? `The ${TURNSTILE_FIELD} token is required` : undefined;
		throw new ApiError(missing, message, { field: TURNSTILE_FIELD });
	}
	await verifyHuman(c, config, token);
}

/** The token from the JSON body, or else from the header. */
async function tokenOf(c: Context<AppEnv>): Promise<string | undefined> {
	const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
	const fromBody = body && typeof body[TURNSTILE_FIELD] === "string" ? (body[TURNSTILE_FIELD] as string) : undefined;
	return fromBody || c.req.header(TURNSTILE_FIELD) || undefined;
}

/** Marks the request `human` when siteverify accepts `token`; throws 403 or 503 otherwise. */
async function verifyHuman(c: Context<AppEnv>, config: TurnstileConfig, token: string): Promise<void> {
	const outcome = await verifyTurnstile(config, token, clientIp(c.req.raw));
	if (outcome.ok) {
		c.set("human", true);
		return;
	}
	if (outcome.reason === "unavailable") {
		log("error", "turnstile_unavailable", { errorCodes: outcome.errorCodes });
		throw new ApiError("SERVICE_UNAVAILABLE");
	}
	throw new ApiError("CAPTCHA_FAILED", undefined, { field: TURNSTILE_FIELD });
}
