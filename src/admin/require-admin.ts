import { createMiddleware } from "hono/factory";
import { ApiError } from "../errors/errors";
import type { AppEnv } from "../platform/app-env";

const encoder = new TextEncoder();

/**
 * Requires `Authorization: Bearer <ADMIN_API_TOKEN>`. The token is compared
 * as SHA-256 digests in constant time, so neither its content nor its length
 * shows in the timing. With no token configured, nobody gets in.
 */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
	const expected = c.get("config").adminToken;
	const header = c.req.header("Authorization") ?? "";
	const given = /^Bearer (\S+)$/i.exec(header)?.[1];
	c.header("WWW-Authenticate", 'Bearer realm="admin"');
	if (!expected || !given) throw new ApiError("UNAUTHORIZED", "A valid admin token is required");
	const [a, b] = await Promise.all([digest(expected), digest(given)]);
	if (!crypto.subtle.timingSafeEqual(a, b)) throw new ApiError("UNAUTHORIZED", "A valid admin token is required");
	c.header("WWW-Authenticate", undefined);
	await next();
});

async function digest(s: string): Promise<ArrayBuffer> {
	return crypto.subtle.digest("SHA-256", encoder.encode(s));
}
