import { Scalar } from "@scalar/hono-api-reference";
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { ApiError } from "../http/errors";
import { cspNonce } from "./security-headers";

/** Where `npm install` puts the API reference's browser build (scripts/vendor-assets.mjs). */
const SCALAR_BUNDLE = "/vendor/scalar/standalone.esm.js";

/**
 * The pages people use: the registration and sign-in pages (Workers static
 * assets under public/), and /docs, the interactive reference rendered from
 * /openapi.json by Scalar's Hono middleware with its bundle served from this
 * Worker (no CDN: the pages work from the Worker alone).
 */
export const siteRouter = new Hono<AppEnv>();

siteRouter.get(
	"/docs",
	Scalar((c) => ({
		url: "/openapi.json",
		pageTitle: "Customer verification API",
		bundle: SCALAR_BUNDLE,
		nonce: cspNonce(c),
		withDefaultFonts: false,
		hideClientButton: true,
		telemetry: false,
		// Everything that would reach out of this Worker stays off.
		showDeveloperTools: "never",
		mcp: { disabled: true },
		agent: { disabled: true },
	})),
);

// Assets go through the Worker (run_worker_first) so they get the same security headers as the API.
siteRouter.on(["GET", "HEAD"], "*", async (c) => {
	if (c.req.path.startsWith("/api/")) throw new ApiError("NOT_FOUND");
	const asset = await c.env.ASSETS.fetch(c.req.raw);
	if (asset.status === 404) throw new ApiError("NOT_FOUND");
	// A fetched response's headers are immutable; the security middleware needs to add to them.
	return new Response(asset.body, asset);
});
