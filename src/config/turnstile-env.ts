import { z } from "zod";

/**
 * The settings of the Turnstile widget on the bundled pages, beside the
 * siteverify ones (TURNSTILE_SECRET_KEY and friends, in env-schema.ts).
 * Like every message of the schema, these never quote the value.
 */

/** An empty string (a copied `.dev.vars.example`, an empty `[vars]` entry) counts as unset. */
const blankIsUnset = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const DEFAULT_TURNSTILE_SCRIPT_URL = "https://challenges.cloudflare.com/turnstile/v0/api.js";

export const turnstileFields = {
	/** Public: the pages render the widget with it. */
	TURNSTILE_SITE_KEY: z.preprocess(
		blankIsUnset,
		z
			.string()
			.trim()
			.regex(/^[\w-]{1,128}$/, "must be a Turnstile sitekey: letters, digits, - and _ (like 0x4AAAAAAA…)")
			.optional(),
	),
	/** `always`: every sending route needs a token; `pressure`: only when the send pipeline asks for one. */
	TURNSTILE_MODE: z.preprocess(
		blankIsUnset,
		z.enum(["always", "pressure"], { error: "must be always or pressure" }).default("always"),
	),
	/** Where the pages load the widget's script from; its origin is what their CSP admits. */
	TURNSTILE_SCRIPT_URL: z.preprocess(
		blankIsUnset,
		z
			.url("must be a URL")
			.default(DEFAULT_TURNSTILE_SCRIPT_URL)
			.refine((u) => /^https?:$/.test(protocolOf(u)), "must be an http or https URL"),
	),
};

/** Where and how to reach Cloudflare's siteverify API. */
export interface TurnstileConfig {
	secretKey: string;
	/** The full siteverify URL, normally https://challenges.cloudflare.com/turnstile/v0/siteverify. */
	verifyUrl: string;
	timeoutMs: number;
	/** When set, a token solved on any other hostname is refused. */
	expectedHostname?: string;
}

/** When the routes that send SMS need a token: every time, or only when the send pipeline asks for one. */
export type TurnstileMode = "always" | "pressure";

/** Turnstile as a whole: siteverify, when a token is needed, and the widget the pages render. */
export interface TurnstileSettings extends TurnstileConfig {
	mode: TurnstileMode;
	/** Public; unset (allowed outside production only), the pages show no widget. */
	siteKey?: string;
	/** The widget's script, normally https://challenges.cloudflare.com/turnstile/v0/api.js. */
	scriptUrl: string;
}

interface TurnstileVars {
	ENVIRONMENT: string;
	TURNSTILE_SECRET_KEY?: string;
	TURNSTILE_VERIFY_URL: string;
	TURNSTILE_TIMEOUT_MS: number;
	TURNSTILE_EXPECTED_HOSTNAME?: string;
	TURNSTILE_SITE_KEY?: string;
	TURNSTILE_MODE: TurnstileMode;
	TURNSTILE_SCRIPT_URL: string;
}

/** The parsed settings, or undefined without TURNSTILE_SECRET_KEY: no bot check anywhere. */
export function turnstileSettings(v: TurnstileVars): TurnstileSettings | undefined {
	if (!v.TURNSTILE_SECRET_KEY) return undefined;
	return {
		secretKey: v.TURNSTILE_SECRET_KEY,
		verifyUrl: v.TURNSTILE_VERIFY_URL,
		timeoutMs: v.TURNSTILE_TIMEOUT_MS,
		expectedHostname: v.TURNSTILE_EXPECTED_HOSTNAME,
		mode: v.TURNSTILE_MODE,
		siteKey: v.TURNSTILE_SITE_KEY,
		scriptUrl: v.TURNSTILE_SCRIPT_URL,
	};
}

/**
 * The widget's settings against the secret's. A site key alone would show a
 * widget whose tokens nobody checks: refused everywhere. A secret alone
 * leaves the bundled pages without a widget: refused in production, allowed
 * elsewhere (API-only tests). Every visitor's browser runs the script: https
 * only in production.
 */
export function turnstileProblems(v: TurnstileVars, ctx: z.RefinementCtx): void {
	if (v.TURNSTILE_SITE_KEY && !v.TURNSTILE_SECRET_KEY)
		ctx.addIssue({
			code: "custom",
			path: ["TURNSTILE_SECRET_KEY"],
			message: "is required once TURNSTILE_SITE_KEY is set (wrangler secret put TURNSTILE_SECRET_KEY)",
		});
	if (v.ENVIRONMENT !== "production") return;
	if (v.TURNSTILE_SECRET_KEY && !v.TURNSTILE_SITE_KEY)
		ctx.addIssue({
			code: "custom",
			path: ["TURNSTILE_SITE_KEY"],
			message: "is required in production once TURNSTILE_SECRET_KEY is set: the pages need it to show the widget",
		});
	if (protocolOf(v.TURNSTILE_SCRIPT_URL) !== "https:")
		ctx.addIssue({ code: "custom", path: ["TURNSTILE_SCRIPT_URL"], message: "must be an https URL in production" });
}

function protocolOf(url: string): string {
	try {
		return new URL(url).protocol;
	} catch {
		return "";
	}
}
