import { appWith } from "./api";

/** Where the fake Turnstile's siteverify answers (see vitest.config.ts). */
export const TURNSTILE_VERIFY_URL = "http://turnstile.test/turnstile/v0/siteverify";

/**
 * The app with the bot check switched on under `secret` (Cloudflare's documented
 * test secrets) and `more` bindings replaced: a JSON POST to `path`.
 */
export const withTurnstile = (secret: string, more: Record<string, string> = {}) =>
	appWith({ TURNSTILE_SECRET_KEY: secret, TURNSTILE_VERIFY_URL, ...more });
