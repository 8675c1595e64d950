import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../platform/app-env";

/**
 * The policy of every page and API answer: scripts, styles, fonts and
 * connections from this origin only, no inline script, no framing, no
 * plugins. The pages are plain files that need nothing else, which is what
 * lets the refresh token sit in sessionStorage (README: "The pages").
 */
const STRICT_CSP = [
	"default-src 'self'",
	"script-src 'self'",
	"style-src 'self'",
	"img-src 'self' data:",
	"font-src 'self'",
	"connect-src 'self'",
	"object-src 'none'",
	"base-uri 'none'",
	"form-action 'self'",
	"frame-ancestors 'none'",
].join("; ");

/**
 * /docs runs the bundled API reference: its two inline scripts carry the
 * request's nonce, and it injects its own stylesheets at run time.
 */
const docsCsp = (nonce: string) =>
	[
		"default-src 'self'",
		`script-src 'self' 'nonce-${nonce}'`,
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data: blob:",
		"font-src 'self' data:",
		"connect-src 'self'",
		"worker-src 'self' blob:",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	].join("; ");

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
 * Sets the security headers on every response, errors and assets included.
 * A route that renders inline scripts asks for a nonce with {@link cspNonce}.
 */
export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
	await next();
	const headers = c.res.headers;
	const nonce = c.get("cspNonce");
	headers.set("Content-Security-Policy", nonce ? docsCsp(nonce) : STRICT_CSP);
	for (const [name, value] of Object.entries(HEADERS)) headers.set(name, value);
	// API answers carry tokens and per-person state: no cache may keep them.
	if (c.req.path.startsWith("/api/")) headers.set("Cache-Control", "no-store");
});

/** A fresh nonce for this response's inline scripts, allowed by its CSP. */
export function cspNonce(c: { set: (key: "cspNonce", value: string) => void }): string {
	const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
	c.set("cspNonce", nonce);
	return nonce;
}
