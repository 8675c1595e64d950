import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { phoneCountryFor } from "../../src/site/phone-country";

/**
 * The country the registration page's phone picker starts on: the Worker
 * puts `request.cf.country` (else DEFAULT_COUNTRY) in a `<meta>` tag of the
 * page, under the strict CSP, with no inline script.
 */

const STRICT =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** GET `path` with `cf` on the request and `vars` over the test bindings. */
async function page(path: string, cf?: Record<string, unknown>, vars: Record<string, string> = {}) {
	const bindings = { ...env, ...vars } as unknown as Env;
	return createApp().request(new Request(`https://verify.example.com${path}`, cf ? { cf } : {}), undefined, bindings);
}

function phoneCountry(html: string): string | null {
	return /<meta name="phone-country" content="([^"]*)">/.exec(html)?.[1] ?? null;
}

describe("the registration page's phone country", () => {
	it("is where the request comes from, in the head, under the strict CSP and without the asset's ETag", async () => {
		const res = await page("/", { country: "GB" });
		expect(res.status).toBe(200);
		const html = await res.text();
		expect(phoneCountry(html)).toBe("GB");
		expect(html.indexOf('<meta name="phone-country"')).toBeLessThan(html.indexOf("</head>"));
		expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
		expect(res.headers.get("content-security-policy")).toBe(STRICT);
		expect(res.headers.get("etag")).toBeNull();
	});

	it("falls back to DEFAULT_COUNTRY when the request's country is unknown, Tor or absent", async () => {
		for (const cf of [{ country: "XX" }, { country: "T1" }, {}, undefined])
			expect(phoneCountry(await (await page("/", cf, { DEFAULT_COUNTRY: "de" })).text())).toBe("DE");
	});

	it("is left out with neither, and the page keeps its ETag", async () => {
		const res = await page("/", { country: "XX" });
		expect(phoneCountry(await res.text())).toBeNull();
		expect(res.headers.get("etag")).not.toBeNull();
	});

	it("is only on the registration page", async () => {
		const res = await page("/login", { country: "GB" });
		expect(phoneCountry(await res.text())).toBeNull();
		expect(phoneCountryFor("/assets/register.js", new Request("https://x.test/"), "GB")).toBeNull();
	});

	it("sits beside the Turnstile widget's settings when both apply", async () => {
		const res = await page(
			"/",
			{ country: "FR" },
			{
				TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA",
				TURNSTILE_SITE_KEY: "1x00000000000000000000AA",
			},
		);
		const html = await res.text();
		expect(phoneCountry(html)).toBe("FR");
		expect(html).toContain('<meta name="turnstile-site-key" content="1x00000000000000000000AA">');
		expect(res.headers.get("content-security-policy")).toContain("script-src 'self' https://challenges.cloudflare.com");
	});
});
