import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";

/** The test bindings' ADMIN_API_TOKEN (vitest.config.ts). */
export const ADMIN_TOKEN = "test-admin-token-test-admin-token-0123456789";

/**
 * Calls an admin route with the admin token, through an app built in the
 * test's own module graph (the one `clientOn` builds its apps from), so it
 * writes the same isolate's tally of refusals before it reads. `vars` replace
 * bindings, as `clientOn`'s do.
 */
export async function adminCall(
	method: string,
	path: string,
	init: { body?: unknown; token?: string; vars?: Record<string, string>; now?: number } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
	const app = createApp(init.now === undefined ? {} : { clock: () => init.now as number });
	const headers: Record<string, string> = { authorization: `Bearer ${init.token ?? ADMIN_TOKEN}` };
	if (init.body !== undefined) headers["content-type"] = "application/json";
	const request = new Request(`http://localhost/api/admin${path}`, {
		method,
		headers,
		body: init.body === undefined ? undefined : JSON.stringify(init.body),
	});
	const ctx = createExecutionContext();
	const res = await app.fetch(request, { ...env, ...init.vars } as unknown as Env, ctx);
	await waitOnExecutionContext(ctx);
	return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Refusals of one window of GET /api/admin/sms-stats. */
export interface RefusalWindowBody {
	since: string;
	total: number;
	byReason: Record<string, number>;
	byCallingCode: Record<string, { total: number; byReason: Record<string, number> }>;
	observed: { total: number; byReason: Record<string, number> };
}

/** The `refusals` of GET /api/admin/sms-stats. */
export async function refusalStats(vars: Record<string, string> = {}) {
	const { status, body } = await adminCall("GET", "/sms-stats", { vars });
	if (status !== 200) throw new Error(`sms-stats answered ${status}`);
	return body.refusals as Record<"hour" | "day" | "week", RefusalWindowBody>;
}
