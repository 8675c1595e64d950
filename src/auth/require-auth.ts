import { createMiddleware } from "hono/factory";
import { ApiError } from "../errors/errors";
import type { AppEnv } from "../platform/app-env";
import { readSessionToken } from "./session-tokens";
import { sessionRepository } from "./sessions.repository";

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

/**
 * Requires `Authorization: Bearer <access token>` whose session is still
 * live, and sets `auth`. Checking the session (one indexed read, joined with
 * the customer the route needs anyway) is what makes logout, logout-all, a
 * password reset and account deletion end access at once, not at `exp`.
 */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
	const header = c.req.header("Authorization");
	// RFC 6750: every refusal names the scheme; a presented token that fails says so.
	c.header("WWW-Authenticate", header === undefined ? "Bearer" : 'Bearer error="invalid_token"');
	const match = BEARER.exec(header ?? "");
	if (!match) throw new ApiError("UNAUTHORIZED");
	const { tokens } = c.get("config");
	const now = c.get("now");
	const claims = await readSessionToken(tokens, "access", match[1] as string, now);
	if (!claims) throw new ApiError("UNAUTHORIZED", "The access token is invalid or expired");
	const customer = await sessionRepository(c.env.DB).liveCustomer(claims.sessionId, claims.customerId, new Date(now));
	if (!customer) throw new ApiError("UNAUTHORIZED", "The session has ended; sign in again");
	c.header("WWW-Authenticate", undefined);
	c.set("auth", { customer, sessionId: claims.sessionId });
	await next();
});
