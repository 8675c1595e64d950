import type { TurnstileSettings } from "../config/config";

/** The pages whose forms can be answered CAPTCHA_REQUIRED or CAPTCHA_FAILED: registration and sign-in. */
const WIDGET_PAGES = new Set(["/", "/login"]);

/** What a page needs to render the widget, as its `<meta>` tags carry it. */
export interface WidgetSettings {
	siteKey: string;
	scriptUrl: string;
	mode: TurnstileSettings["mode"];
	/** The script's origin: the one the page's CSP admits for scripts and frames. */
	origin: string;
}

/** The widget settings of the page at `path`, or null: not a widget page, or no TURNSTILE_SITE_KEY. */
export function widgetFor(path: string, turnstile: TurnstileSettings | undefined): WidgetSettings | null {
	if (!WIDGET_PAGES.has(path) || !turnstile?.siteKey) return null;
	const { siteKey, scriptUrl, mode } = turnstile;
	return { siteKey, scriptUrl, mode, origin: new URL(scriptUrl).origin };
}

/**
 * The page with the widget's settings as `<meta>` tags at the end of its
 * `<head>` (read by /assets/human-check.js): no inline script, so the CSP
 * keeps forbidding them. The asset's ETag goes: the page now depends on the
 * configuration too.
 */
export function withWidgetSettings(page: Response, widget: WidgetSettings): Response {
	const tags = [
		meta("turnstile-site-key", widget.siteKey),
		meta("turnstile-script-url", widget.scriptUrl),
		meta("turnstile-mode", widget.mode),
	].join("");
	const rewritten = new HTMLRewriter()
		.on("head", {
			element(head) {
				head.append(tags, { html: true });
			},
		})
		.transform(page);
	const response = new Response(rewritten.body, rewritten);
	response.headers.delete("etag");
	response.headers.delete("content-length");
	return response;
}

/** The request for the page's file, without its validators: a 304 would keep a page built for another configuration. */
export function unconditional(request: Request): Request {
	const headers = new Headers(request.headers);
	headers.delete("if-none-match");
	headers.delete("if-modified-since");
	return new Request(request, { headers });
}

function meta(name: string, content: string): string {
	return `<meta name="${name}" content="${escapeAttribute(content)}">`;
}

function escapeAttribute(text: string): string {
	return text.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
