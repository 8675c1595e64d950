/**
 * A local stand-in for Turnstile's client script (`/turnstile/v0/api.js`),
 * served by the fake Turnstile so browser tests never reach
 * challenges.cloudflare.com. It implements the part of `window.turnstile`
 * the pages use, the way Cloudflare's test sitekeys behave:
 *
 * - `render(container, params)`: requires `?render=explicit` on the script
 *   URL (it reports a console error otherwise); puts an iframe from the
 *   script's own origin into the container (so the page's CSP must admit
 *   that origin in frame-src, as for the real widget), then "solves" it: a
 *   sitekey starting `1x` (always passes) calls `callback` with
 *   {@link DUMMY_TOKEN}, the token Cloudflare's dummy sitekeys produce and the
 *   fake siteverify accepts under the test secrets; `2x` (always fails) calls
 *   `error-callback`. Returns the widget's id.
 * - `reset(id)`: forgets the token and solves again (a new callback).
 * - `getResponse(id)`, `remove(id)`, `ready(fn)`.
 *
 * `window.turnstileStandIn` counts renders and resets and records each
 * render's parameters, for tests to read.
 */

/** The token Cloudflare's dummy sitekeys produce (the same as fake-turnstile's DUMMY_TOKEN). */
const DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";

/** How long the stand-in takes to "solve" a challenge, in ms. */
const SOLVE_MS = 150;

const SCRIPT = `(() => {
	"use strict";
	const script = document.currentScript;
	const source = new URL(script.src);
	if (source.searchParams.get("render") !== "explicit")
		console.error("turnstile stand-in: load api.js with ?render=explicit to render widgets explicitly");
	const widgets = new Map();
	const record = { renders: [], resets: 0 };
	let count = 0;
	let last = null;

	function solve(widget) {
		setTimeout(() => {
			if (!widgets.has(widget.id)) return;
			const key = String(widget.params.sitekey ?? "");
			if (key.startsWith("1x")) {
				widget.token = ${JSON.stringify(DUMMY_TOKEN)};
				widget.params.callback?.(widget.token);
			} else {
				widget.token = "";
				widget.params["error-callback"]?.("110100");
			}
		}, ${SOLVE_MS});
	}

	const find = (id) => widgets.get(id ?? last);

	window.turnstile = {
		ready(fn) {
			fn();
		},
		render(container, params = {}) {
			const element = typeof container === "string" ? document.querySelector(container) : container;
			if (!element) throw new Error("turnstile stand-in: no container");
			const id = "cf-chl-widget-" + ++count;
			const frame = document.createElement("iframe");
			frame.id = id;
			frame.title = "Widget containing a Cloudflare security challenge";
			frame.src = source.origin + "/turnstile/v0/widget?size=" + encodeURIComponent(params.size ?? "normal");
			const compact = params.size === "compact";
			frame.style.border = "0";
			frame.style.display = "block";
			frame.style.width = compact ? "150px" : params.size === "flexible" ? "100%" : "300px";
			frame.style.height = compact ? "140px" : "65px";
			element.append(frame);
			const widget = { id, params, token: "" };
			widgets.set(id, widget);
			last = id;
			record.renders.push({ sitekey: params.sitekey, size: params.size ?? "normal", responseField: params["response-field"] });
			solve(widget);
			return id;
		},
		reset(id) {
			const widget = find(id);
			if (!widget) return;
			record.resets++;
			widget.token = "";
			solve(widget);
		},
		getResponse(id) {
			return find(id)?.token || undefined;
		},
		remove(id) {
			const widget = find(id);
			if (!widget) return;
			widgets.delete(widget.id);
			document.getElementById(widget.id)?.remove();
		},
	};
	window.turnstileStandIn = record;
})();
`;

const FRAME = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Security check</title></head>
<body style="margin:0;font:14px system-ui,sans-serif"><p style="margin:8px">Success! (local stand-in)</p></body></html>
`;

/** Answers the stand-in's GET routes; null for any other request. */
export function widgetResponse(request: Request): Response | null {
	if (request.method !== "GET") return null;
	const { pathname } = new URL(request.url);
	if (pathname === "/turnstile/v0/api.js")
		return new Response(SCRIPT, {
			headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" },
		});
	if (pathname === "/turnstile/v0/widget")
		return new Response(FRAME, { headers: { "content-type": "text/html; charset=utf-8" } });
	return null;
}
