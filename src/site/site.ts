import { Scalar } from "@scalar/hono-api-reference";
import { Hono, type MiddlewareHandler } from "hono";
import { ApiError } from "../errors/errors";
import type { AppEnv } from "../platform/app-env";
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

/** Scalar's theme, adjusted where its greys and accents miss WCAG AA contrast (4.5:1) on their background. */
const DOCS_CSS = `.light-mode {
	--scalar-color-2: #43474e; --scalar-color-3: #4d525b; --scalar-color-accent: #1f4fd1;
	--scalar-color-green: #0b6b3a; --scalar-color-orange: #9a4400; --scalar-color-blue: #1f4fd1;
	--scalar-color-red: #b3261e; --scalar-color-yellow: #725400; --scalar-color-purple: #5e35a8;
}
/* Code samples sit on a dark panel: lighter accents there (doubled class: above the Hono theme). */
.dark-mode.dark-mode, .light-mode .dark-mode {
	--scalar-color-blue: #a9b8ff; --scalar-color-orange: #ffb07a; --scalar-color-green: #6ee7ac;
	--scalar-color-red: #ff9aa8; --scalar-color-yellow: #ffd080; --scalar-color-purple: #cdb6ff;
}`;

// Scalar types its middleware for Hono's default Env; it reads nothing of ours but the context.
const reference = Scalar((c) => ({
	url: "/openapi.json",
	pageTitle: "Customer verification API",
	bundle: SCALAR_BUNDLE,
	nonce: cspNonce(c),
	withDefaultFonts: false,
	hideClientButton: true,
	telemetry: false,
	forceDarkModeState: "light",
	hideDarkModeToggle: true,
	customCss: DOCS_CSS,
	// Everything that would reach out of this Worker stays off.
	showDeveloperTools: "never",
	mcp: { disabled: true },
	agent: { disabled: true },
})) as unknown as MiddlewareHandler<AppEnv>;

siteRouter.get("/docs", async (c, next) => {
	const page = await (await reference(c, next))?.text();
	if (page === undefined) throw new ApiError("NOT_FOUND");
	// The rendered page names no language, and a few of its controls no name: /assets/docs.js supplies them.
	const html = page
		.replace("<html>", '<html lang="en">')
		.replace("</body>", '<script src="/assets/docs.js" defer></script></body>');
	return c.html(html);
});

// Assets go through the Worker (run_worker_first) so they get the same security headers as the API.
siteRouter.on(["GET", "HEAD"], "*", async (c) => {
	if (c.req.path.startsWith("/api/")) throw new ApiError("NOT_FOUND");
	const asset = await c.env.ASSETS.fetch(c.req.raw);
	if (asset.status === 404) throw new ApiError("NOT_FOUND");
	// A fetched response's headers are immutable; the security middleware needs to add to them.
	return new Response(asset.body, asset);
});
