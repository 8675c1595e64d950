import { createMiddleware } from "hono/factory";
import { ApiError } from "../errors/errors";
import type { AppEnv } from "../platform/app-env";
import { takeQuotas } from "./budget";
import { clientNetwork } from "./client-network";
import { HOUR_MS } from "./counter-rules";
import { refusal } from "./refusals";

/** The period of SEND_RATE_LIMITER in wrangler.toml (the binding cannot tell). */
const BURST_PERIOD_SECONDS = 60;

/**
 * Limits the routes that send SMS per client network (the /56 for IPv6):
 * bursts with the Workers Rate Limiting binding (per location, cheap, no
 * storage), then hourly and daily caps in one counter object per address and
 * window, which hold across every location. Runs before validation, so a
 * flood of malformed requests is limited too. In production a request
 * without CF-Connecting-IP counts under one shared key; elsewhere it is not
 * limited. IP_RATE_LIMITS=off switches the limits off.
 */
export const ipSendLimit = createMiddleware<AppEnv>(async (c, next) => {
	const { ipLimits, environment } = c.get("config");
	const ip = clientNetwork(c.req.raw, environment === "production");
	if (!ipLimits.enabled || !ip) return next();
	const burst = await c.env.SEND_RATE_LIMITER.limit({ key: ip });
	if (!burst.success) {
		refusal("network", { limit: "burst" });
		throw new ApiError("RATE_LIMITED", "Too many requests from your network; slow down", {
			retryAfter: BURST_PERIOD_SECONDS,
		});
	}
	const taken = await takeQuotas(c.env, [
		{ scope: `ip-hour:${ip}`, limit: ipLimits.perHour, windowMs: HOUR_MS },
		{ scope: `ip-day:${ip}`, limit: ipLimits.perDay, windowMs: 24 * HOUR_MS },
	]);
	if ("refused" in taken) {
		// Before the body is read: the calling code is not known yet.
		refusal("network", { limit: taken.refused.scope.startsWith("ip-hour:") ? "hour" : "day" });
		throw new ApiError("RATE_LIMITED", "Too many codes requested from your network; try again later", {
			retryAfter: taken.retryAfter,
		});
	}
	await next();
});
