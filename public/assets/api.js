/**
 * What the pages share: one way to call the API, one wording per error
 * code, where tokens live, and the account view.
 *
 * Tokens: the access token lives in memory only. The refresh token lives in
 * sessionStorage, so a reload keeps the customer signed in within this tab
 * and closing the tab forgets it; never localStorage, never a cookie the
 * page can read. The Content-Security-Policy allows scripts from this origin
 * only, which is what keeps other code away from it.
 */

const REFRESH_KEY = "edge-verify.refresh";
let accessToken = null;

/** Calls the API; never throws for an HTTP error: `{ ok, status, data, retryAfter }`. */
export async function api(path, { method = "POST", body, token } = {}) {
	const headers = { accept: "application/json" };
	if (body !== undefined) headers["content-type"] = "application/json";
	if (token) headers.authorization = `Bearer ${token}`;
	let res;
	try {
		res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	} catch {
		return { ok: false, status: 0, data: { code: "NETWORK" }, retryAfter: 0 };
	}
	const data = await res.json().catch(() => ({}));
	const retryAfter = Number(res.headers.get("retry-after") ?? data.retryAfter ?? 0) || 0;
	return { ok: res.ok, status: res.status, data, retryAfter };
}

/** A sentence for people, for every error code the API can answer. */
export function describeError({ code, attemptsRemaining, retryAfter, message }) {
	switch (code) {
		case "NETWORK":
			return "We could not reach the server. Check your connection and try again.";
		case "VALIDATION_ERROR":
			return message ?? "Some details are not valid.";
		case "OTP_INVALID":
			return attemptsRemaining === 1
				? "That code is not right. 1 attempt left."
				: `That code is not right. ${attemptsRemaining ?? "A few"} attempts left.`;
		case "OTP_TOO_MANY_ATTEMPTS":
			return "Too many wrong codes. Send yourself a new code to try again.";
		case "OTP_EXPIRED":
			return "This code has expired. Start again to get a new one.";
		case "OTP_NOT_FOUND":
			return "There is no registration waiting for this phone number. Start again.";
		case "REGISTRATION_ID_REQUIRED":
			return "Another registration is waiting for this phone number. Start again from this page.";
		case "CUSTOMER_EXISTS":
			return "An account already uses these details. Sign in instead.";
		case "RATE_LIMITED":
			return `Too many attempts. Try again in ${wait(retryAfter)}.`;
		case "COUNTRY_NOT_ALLOWED":
			return "We cannot send codes to phone numbers in this country.";
		case "CAPTCHA_FAILED":
			return "The security check did not pass. Reload the page and try again.";
		case "CAPTCHA_REQUIRED":
			return "Complete the security check, then try again.";
		case "SMS_DELIVERY_FAILED":
			return "We could not send the text message. Try again in a moment.";
		case "EMAIL_DELIVERY_FAILED":
			return "We could not send the email. Try again in a moment.";
		case "CHANNEL_UNAVAILABLE":
			return "Codes cannot be sent by email here.";
		case "SMS_BUDGET_EXHAUSTED":
		case "SMS_PREFIX_BLOCKED":
			return `We cannot send codes to this number right now. Try again in ${wait(retryAfter)}.`;
		case "INVALID_CREDENTIALS":
			return "The email, phone number or password is not right.";
		case "UNAUTHORIZED":
		case "TOKEN_REUSED":
			return "Your session has ended. Sign in again.";
		case "SERVICE_UNAVAILABLE":
			return "Something we depend on is not answering. Try again in a moment.";
		default:
			return "Something went wrong on our side. Try again in a moment.";
	}
}

function wait(seconds) {
	const s = Math.max(1, Math.ceil(seconds || 1));
	if (s < 90) return `${s} second${s === 1 ? "" : "s"}`;
	return `${Math.ceil(s / 60)} minutes`;
}

/** Shows `message` under a field (announced through aria-describedby), or in the form's notice. */
export function showError(notice, form, field, message) {
	const input = field ? form.elements.namedItem(field) : null;
	const slot = input ? document.getElementById(`${input.id}-error`) : null;
	if (input && slot) {
		slot.textContent = message;
		slot.hidden = false;
		input.setAttribute("aria-invalid", "true");
		input.focus();
		return;
	}
	say(notice, message);
}

/** Puts a message in a live region; empty hides it. */
export function say(notice, message, kind = "error") {
	notice.textContent = message ?? "";
	notice.hidden = !message;
	notice.classList.toggle("info", kind === "info");
}

export function clearErrors(notice, form) {
	say(notice, "");
	for (const slot of form.querySelectorAll(".error")) {
		slot.textContent = "";
		slot.hidden = true;
	}
	for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

/** The API names the field at fault (`phone`, `email`, ...), which is also the input's name. */
export function fieldOf(data) {
	return typeof data.field === "string" ? data.field : null;
}

export function wirePasswordToggle(button, input) {
	button.addEventListener("click", () => {
		const show = input.type === "password";
		input.type = show ? "text" : "password";
		button.textContent = show ? "Hide" : "Show";
		button.setAttribute("aria-pressed", String(show));
	});
}

/** Keeps the tokens of a new session: the access token in memory, the refresh token for this tab. */
export function keepSession({ accessToken: access, refreshToken }) {
	accessToken = access;
	if (refreshToken) sessionStorage.setItem(REFRESH_KEY, refreshToken);
}

/** The access token, refreshed with the tab's refresh token when there is none in memory. */
export async function currentAccessToken() {
	if (accessToken) return accessToken;
	const refreshToken = sessionStorage.getItem(REFRESH_KEY);
	if (!refreshToken) return null;
	const res = await api("/api/customers/refresh", { body: { refreshToken } });
	if (!res.ok) {
		sessionStorage.removeItem(REFRESH_KEY);
		return null;
	}
	keepSession(res.data);
	return accessToken;
}

/** The signed-in customer from GET /me, or null. */
export async function me() {
	const token = await currentAccessToken();
	if (!token) return null;
	const res = await api("/api/customers/me", { method: "GET", token });
	return res.ok ? res.data.customer : null;
}

/** Ends this session on the server and forgets both tokens. */
export async function signOut() {
	const refreshToken = sessionStorage.getItem(REFRESH_KEY);
	if (refreshToken) await api("/api/customers/logout", { body: { refreshToken } });
	sessionStorage.removeItem(REFRESH_KEY);
	accessToken = null;
}

/** Fills a <dl> with the customer's details, as text (never as HTML). */
export function renderAccount(list, customer) {
	const rows = [
		["Name", customer.name],
		["Email", customer.email],
		["Phone", customer.phone],
		["Verified by", customer.phoneVerifiedAt ? "text message" : customer.emailVerifiedAt ? "email" : "—"],
		["Member since", customer.createdAt ? new Date(customer.createdAt).toLocaleDateString() : "—"],
	];
	list.replaceChildren(
		...rows.flatMap(([term, value]) => {
			const dt = document.createElement("dt");
			dt.textContent = term;
			const dd = document.createElement("dd");
			dd.textContent = value ?? "—";
			return [dt, dd];
		}),
	);
}

/** Shows one section of a page and moves focus to its heading (or `focus`). */
export function show(section, focus) {
	for (const other of document.querySelectorAll("main > section")) other.hidden = other !== section;
	const target = focus ?? section.querySelector("h1");
	if (target) {
		if (!target.hasAttribute("tabindex") && target.tagName === "H1") target.setAttribute("tabindex", "-1");
		target.focus();
	}
}
