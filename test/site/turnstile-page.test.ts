import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { contentSecurityPolicy } from "../../src/site/security-headers";

/**
 * The registration and sign-in pages with TURNSTILE_SITE_KEY set: the
 * widget's settings in `<meta>` tags, and a CSP that admits the widget's
 * origin for scripts and frames on those two pages only.
 */

const SITE_KEY = "1x00000000000000000000AA";
const CLOUDFLARE = "https://challenges.cloudflare.com";
const STRICT =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The app over the test bindings with `vars` replaced. */
function site(vars: Record<string, string> = {}) {
	const app = createApp();
	const bindings = { ...env, ...vars } as unknown as Env;
	return (path: string, init: RequestInit = {}) => app.request(path, init, bindings);
}

const withWidget = (more: Record<string, string> = {}) =>
	site({ TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA", TURNSTILE_SITE_KEY: SITE_KEY, ...more });

const csp = (res: Response) => res.headers.get("content-security-policy");

/** The `<meta>` tags the pages read the widget's settings from. */
function widgetMeta(html: string): Record<string, string> {
	const found: Record<string, string> = {};
	for (const [, name, content] of html.matchAll(/<meta name="(turnstile-[a-z-]+)" content="([^"]*)">/g))
		found[name as string] = content as string;
	return found;
}

describe("the pages without TURNSTILE_SITE_KEY", () => {
	it.each([
		["no Turnstile at all", {}],
		["only the secret (outside production)", { TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA" }],
	])("with %s, keep the strict CSP and carry no widget settings", async (_, vars) => {
		for (const path of ["/", "/login"]) {
			const res = await site(vars)(path);
			expect(res.status).toBe(200);
			expect(csp(res)).toBe(STRICT);
			expect(widgetMeta(await res.text())).toEqual({});
		}
	});
});

describe("the pages with TURNSTILE_SITE_KEY", () => {
	it.each(["/", "/login"])(
		"%s carries the site key, the script and the mode, and admits the widget's origin",
		async (path) => {
			const res = await withWidget()(path);
			expect(res.status).toBe(200);
			expect(res.headers.get("content-type")).toMatch(/^text\/html/);
			const html = await res.text();
			expect(widgetMeta(html)).toEqual({
				"turnstile-site-key": SITE_KEY,
				"turnstile-script-url": `${CLOUDFLARE}/turnstile/v0/api.js`,
				"turnstile-mode": "always",
			});
			// In the head, and still no inline script: the pages' own module reads the tags.
			expect(html.indexOf('<meta name="turnstile-site-key"')).toBeLessThan(html.indexOf("</head>"));
			expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
			expect(csp(res)).toBe(
				`default-src 'self'; script-src 'self' ${CLOUDFLARE}; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-src ${CLOUDFLARE}; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
			);
			expect(csp(res)).toBe(contentSecurityPolicy(CLOUDFLARE));
			for (const header of [
				"x-frame-options",
				"x-content-type-options",
				"referrer-policy",
				"strict-transport-security",
			])
				expect(res.headers.get(header)).toBeTruthy();
		},
	);

	it.each(["/docs", "/openapi.json", "/assets/app.css", "/assets/register.js", "/api/customers/me", "/nowhere"])(
		"leaves %s under the strict CSP",
		async (path) => {
			const res = await withWidget()(path);
			expect(csp(res)).toBe(STRICT);
			if (res.headers.get("content-type")?.startsWith("text/html")) expect(widgetMeta(await res.text())).toEqual({});
		},
	);

	it("admits the origin of TURNSTILE_SCRIPT_URL (a local stand-in), and says the mode", async () => {
		const get = withWidget({
			TURNSTILE_SCRIPT_URL: "http://127.0.0.1:8788/turnstile/v0/api.js?x=1&y=2",
			TURNSTILE_MODE: "pressure",
		});
		const res = await get("/login");
		expect(csp(res)).toContain("script-src 'self' http://127.0.0.1:8788;");
		expect(csp(res)).toContain("frame-src http://127.0.0.1:8788;");
		expect(csp(res)).not.toContain(CLOUDFLARE);
		const html = await res.text();
		// Attribute-escaped; the browser reads it back as the URL.
		expect(html).toContain('content="http://127.0.0.1:8788/turnstile/v0/api.js?x=1&amp;y=2"');
		expect(widgetMeta(html)["turnstile-mode"]).toBe("pressure");
	});

	it("answers HEAD with the same policy, and never a 304 for a page built before the setting changed", async () => {
		const head = await withWidget()("/", { method: "HEAD" });
		expect(head.status).toBe(200);
		expect(csp(head)).toBe(contentSecurityPolicy(CLOUDFLARE));
		const plain = await site()("/");
		const etag = plain.headers.get("etag");
		const fresh = await withWidget()("/", { headers: etag ? { "if-none-match": etag } : {} });
		expect(fresh.status).toBe(200);
		expect(fresh.headers.get("etag")).toBeNull();
		expect(widgetMeta(await fresh.text())["turnstile-site-key"]).toBe(SITE_KEY);
	});
});
