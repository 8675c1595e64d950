/**
 * Settings a page's own scripts read from `<meta>` tags that the Worker adds
 * at the end of its `<head>`: no inline script, so the CSP keeps forbidding
 * them. Names are fixed by the caller; contents are escaped here.
 */

/**
 * The page with `settings` as `<meta name content>` tags in its `<head>`.
 * The asset's ETag goes: the page now depends on the configuration and the
 * request too.
 *
 * @example
 * withPageSettings(asset, { "phone-country": "GB" });
 */
export function withPageSettings(page: Response, settings: Record<string, string>): Response {
	const tags = Object.entries(settings)
		.map(([name, content]) => `<meta name="${escapeAttribute(name)}" content="${escapeAttribute(content)}">`)
		.join("");
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

function escapeAttribute(text: string): string {
	return text.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
