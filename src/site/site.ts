import { Hono } from "hono";
import { ApiError, ERROR_CODES } from "../errors/errors";
import type { AppEnv } from "../platform/app-env";
import { widgetFor, widgetSettings } from "./challenge-page";
import { renderDocsPage } from "./docs/page";
import type { OpenApiDocument } from "./docs/types";
import { unconditional, withPageSettings } from "./page-settings";
import { phoneCountryFor } from "./phone-country";

/** Where app.ts serves the OpenAPI document. */
const OPENAPI_URL = "/openapi.json";

/**
 * The pages people use: the registration and sign-in pages (Workers static
 * assets under public/, given the Turnstile widget's settings when it is
 * configured), and /docs, the API reference rendered here from the app's
 * OpenAPI document: plain HTML and /assets/docs.css, no script, so it runs
 * under the same strict CSP as every other page.
 */
export function siteRouter(openapi: () => OpenApiDocument) {
	const router = new Hono<AppEnv>();
	// The document is the same for the isolate's life: render the page once per site name.
	let cached: { brand: string; page: string } | undefined;

	router.get("/docs", (c) => {
		const brand = c.get("config").appName;
		if (cached?.brand !== brand)
			cached = { brand, page: renderDocsPage(openapi(), { brand, openapiUrl: OPENAPI_URL, errors: ERROR_CODES }) };
		return c.html(cached.page);
	});

	// Assets go through the Worker (run_worker_first) so they get the same security headers as the API.
	router.on(["GET", "HEAD"], "*", async (c) => {
		if (c.req.path.startsWith("/api/")) throw new ApiError("NOT_FOUND");
		// The registration and sign-in pages get the Turnstile widget's settings when TURNSTILE_SITE_KEY is set,
		// and the registration page the country its phone picker starts on.
		const config = c.get("config");
		const widget = widgetFor(c.req.path, config.turnstile);
		const country = phoneCountryFor(c.req.path, c.req.raw, config.defaultCountry);
		const settings = { ...(widget ? widgetSettings(widget) : {}), ...(country ? { "phone-country": country } : {}) };
		const personal = Object.keys(settings).length > 0;
		const asset = await c.env.ASSETS.fetch(personal ? unconditional(c.req.raw) : c.req.raw);
		if (asset.status === 404) throw new ApiError("NOT_FOUND");
		if (personal && asset.ok && asset.headers.get("content-type")?.startsWith("text/html")) {
			if (widget) c.set("challengeOrigin", widget.origin);
			return withPageSettings(asset, settings);
		}
		// A fetched response's headers are immutable; the security middleware needs to add to them.
		return new Response(asset.body, asset);
	});
	return router;
}
