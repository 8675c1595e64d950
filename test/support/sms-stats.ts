import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import { type Answer, answer } from "./answer";

/** GET /api/admin/sms-stats, as the admin tests call it. */

export const TOKEN = "test-admin-token-test-admin-token-0123456789";
export const PATH = "/api/admin/sms-stats";
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** The request time of every stats request of the admin tests, unless a test says otherwise. */
export const T = Date.UTC(2031, 2, 10, 12, 0, 0);

/** GET /api/admin/sms-stats through the app, its clock at `now`. */
export async function stats(
	init: { authorization?: string; now?: number; env?: Record<string, unknown> } = {},
): Promise<Answer> {
	const app = createApp({ clock: () => init.now ?? T });
	const headers: Record<string, string> = {};
	if (init.authorization !== undefined) headers.authorization = init.authorization;
	const ctx = createExecutionContext();
	const res = await app.request(PATH, { headers }, init.env ?? env, ctx);
	await waitOnExecutionContext(ctx);
	return answer(res);
}

/** The Authorization header value of a bearer `token`. */
export const bearerAuth = (token: string) => `Bearer ${token}`;
