import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";

/** Where the fake Turnstile's siteverify answers (see vitest.config.ts). */
export const TURNSTILE_VERIFY_URL = "http://turnstile.test/turnstile/v0/siteverify";

/**
 * The app with the bot check switched on under `secret` (Cloudflare's documented
 * test secrets) and `more` bindings replaced: a JSON POST to `path`.
 */
export function withTurnstile(secret: string, more: Record<string, string> = {}) {
	const app = createApp();
	const bindings = {
		...env,
		TURNSTILE_SECRET_KEY: secret,
		TURNSTILE_VERIFY_URL,
		...more,
	} as unknown as Env;
	return (path: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
		app.request(
			path,
			{ method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) },
			bindings,
		);
}
