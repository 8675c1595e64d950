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

/** The `<meta>` tags the widget's settings travel in (read by /assets/human-check.js). */
export function widgetSettings(widget: WidgetSettings): Record<string, string> {
	return {
		"turnstile-site-key": widget.siteKey,
		"turnstile-script-url": widget.scriptUrl,
		"turnstile-mode": widget.mode,
	};
}
