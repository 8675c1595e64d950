import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../platform/app-env";

/**
 * The policy of every page and API answer: scripts, styles, fonts and
 * connections from this origin only, no inline script, no framing, no
 * plugins. The pages are plain files that need nothing else, which is what
 * lets the refresh token sit in sessionStorage (README: "The pages").
 */
const STRICT_CSP = contentSecurityPolicy();

/**
 * The strict policy; with `challengeOrigin` (the registration and sign-in
 * pages, when TURNSTILE_SITE_KEY is set), that one origin too for scripts
 * and frames: Turnstile's script and the iframe it renders. Still no inline
 * script, nothing else from anywhere.
 */
export function contentSecurityPolicy(challengeOrigin?: string): string {
	const extra = challengeOrigin ? ` ${challengeOrigin}` : "";
	return [
		"default-src 'self'",
		`script-src 'self'${extra}`,
		"style-src 'self'",
		"img-src 'self' data:",
		"font-src 'self'",
		"connect-src 'self'",
		...(challengeOrigin ? [`frame-src${extra}`] : []),
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	].join("; ");
}

const HEADERS: Record<string, string> = {
	"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
	"X-Content-Type-Options": "nosniff",
	"X-Frame-Options": "DENY",
	"Referrer-Policy": "no-referrer",
	"Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
	"Cross-Origin-Opener-Policy": "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
};

/**
 * Sets the security headers on every response, errors and assets included:
 * /docs too, which is server-rendered HTML with no script at all. Only a page
 * the site route marked with `challengeOrigin` gets the wider policy.
 */
export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
	await next();
	const headers = c.res.headers;
	const challengeOrigin = c.get("challengeOrigin");
	headers.set("Content-Security-Policy", challengeOrigin ? contentSecurityPolicy(challengeOrigin) : STRICT_CSP);
	for (const [name, value] of Object.entries(HEADERS)) headers.set(name, value);
	// API answers carry tokens and per-person state: no cache may keep them.
	if (c.req.path.startsWith("/api/")) headers.set("Cache-Control", "no-store");
});
