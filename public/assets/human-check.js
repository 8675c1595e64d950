/**
 * The Turnstile widget on the pages. The Worker puts its settings in <meta>
 * tags when TURNSTILE_SITE_KEY is set (and admits the script's origin in the
 * CSP of these pages only); without them there is no widget and nothing here
 * loads. Cloudflare's script is loaded once, on first need, with explicit
 * rendering: each check area renders its own widget when it is shown.
 *
 * Mode `always`: the pages show the widget of a form that sends an SMS up
 * front. Mode `pressure`: no widget until an answer asks for one
 * (CAPTCHA_REQUIRED, or CAPTCHA_FAILED for a refused token). Either way a
 * token is single-use: after a request carried it, the widget is reset for
 * a new one.
 */

/** The body field (and header) the API reads the token from. */
export const TOKEN_FIELD = "cf-turnstile-response";

const setting = (name) => document.querySelector(`meta[name="turnstile-${name}"]`)?.content ?? "";
const siteKey = setting("site-key");
const scriptUrl = setting("script-url");

/** Whether this page can show the widget at all. */
export const configured = Boolean(siteKey && scriptUrl);
/** `always` or `pressure`; meaningless when not configured. */
export const mode = setting("mode") || "always";

let loading = null;

/** Cloudflare's script (TURNSTILE_SCRIPT_URL) with `render=explicit`, loaded once; resolves to `window.turnstile`. */
function loadTurnstile() {
	loading ??= new Promise((resolve, reject) => {
		const url = new URL(scriptUrl, location.href);
		url.searchParams.set("render", "explicit");
		const script = document.createElement("script");
		script.src = url.href;
		script.async = true;
		script.addEventListener("load", () =>
			window.turnstile ? resolve(window.turnstile) : reject(new Error("Turnstile did not start")),
		);
		script.addEventListener("error", () => {
			loading = null;
			reject(new Error("Turnstile's script did not load"));
		});
		document.head.append(script);
	});
	return loading;
}

/** Whether an answer asks for the check: a token is needed, or the one sent was refused. */
export function asksForCheck(res) {
	return res.status === 403 && (res.data.code === "CAPTCHA_REQUIRED" || res.data.code === "CAPTCHA_FAILED");
}

/** What to tell the person when an answer asks for the check. */
export function checkMessage(res) {
	if (!configured) return "We need a security check this page cannot show. Try again later.";
	return res.data.code === "CAPTCHA_FAILED"
		? "The security check did not pass. Complete it again below, then try again."
		: "Complete the security check below, then try again.";
}

/**
 * One check area of a page (see index.html): a labelled group with a
 * `.widget` slot and a `.check-status` line. `show()` reveals it and renders
 * its widget once; `attach(body)` adds the token when the widget has one;
 * `spent()` resets the widget after a request carried its token.
 */
export function humanCheck(area) {
	const slot = area.querySelector(".widget");
	const status = area.querySelector(".check-status");
	let widgetId = null;
	let token = "";
	let sent = false;

	const tell = (text) => {
		status.textContent = text;
	};

	return {
		/** True once shown: every request it guards then waits for its token. */
		get shown() {
			return !area.hidden;
		},
		/** Reveals the area and renders its widget (once); `focus` moves there, for a keyboard to reach the widget next. */
		async show({ focus = false } = {}) {
			if (!configured) return;
			area.hidden = false;
			if (focus) area.focus();
			if (widgetId !== null) return;
			tell("Loading the security check…");
			let turnstile;
			try {
				turnstile = await loadTurnstile();
			} catch {
				tell("The security check could not load. Reload the page to try again.");
				return;
			}
			if (widgetId !== null) return;
			widgetId = turnstile.render(slot, {
				sitekey: siteKey,
				theme: "auto",
				// The widget is 300 px wide; the compact one fits the narrowest phones.
				size: slot.clientWidth < 300 ? "compact" : "flexible",
				"response-field": false,
				callback: (value) => {
					token = value;
					tell("Security check complete.");
				},
				"expired-callback": () => {
					token = "";
					tell("The security check expired; it will run again.");
				},
				"error-callback": () => {
					token = "";
					tell("The security check ran into a problem. Try it again, or reload the page.");
					return true;
				},
			});
		},
		/** The widget's current token, or "". */
		token() {
			return token || (widgetId !== null && window.turnstile?.getResponse(widgetId)) || "";
		},
		/** `body` with the token, if there is one; remembers that it was sent. */
		attach(body) {
			const value = this.token();
			sent = Boolean(value);
			return value ? { ...body, [TOKEN_FIELD]: value } : body;
		},
		/** After a request: a token it carried is spent, so the widget gets a new one. */
		spent() {
			if (!sent || widgetId === null) return;
			sent = false;
			token = "";
			tell("Running the security check again…");
			window.turnstile?.reset(widgetId);
		},
	};
}
