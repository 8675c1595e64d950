import { drawProtection } from "./admin-protection.js";
import { drawRecentRefusals } from "./admin-refusals.js";
import { drawFailures, drawRates, drawRefusals, drawSeries } from "./admin-views.js";

/**
 * The operator console. The admin token lives in this module's memory only:
 * never in localStorage, sessionStorage, a cookie or the URL, and the input
 * it was typed into is emptied once read. Reloading the page forgets it.
 * The page's CSP allows scripts from this origin only.
 */

let token = null;
/** The latest answers, kept to redraw at a new width. */
let latest = null;

const $ = (id) => document.getElementById(id);
/** The hours of GET /api/admin/refusals/recent for each window of the controls. */
const WINDOW_HOURS = { hour: 1, day: 24, week: 168 };

/** Calls the admin API with the token; `{ ok, status, data }`, never throws for an HTTP error. */
async function call(path, { method = "GET", body } = {}) {
	const headers = { accept: "application/json", authorization: `Bearer ${token}` };
	if (body !== undefined) headers["content-type"] = "application/json";
	try {
		const res = await fetch(`/api/admin${path}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			credentials: "omit",
			cache: "no-store",
		});
		return { ok: res.ok, status: res.status, data: await res.json().catch(() => ({})) };
	} catch {
		return { ok: false, status: 0, data: { message: "We could not reach the server." } };
	}
}

function show(id, text) {
	const node = $(id);
	node.textContent = text ?? "";
	node.hidden = !text;
}

/** Reads every figure the charts need, in parallel; the first failure, or the answers. */
async function fetchAll() {
	const bucket = $("bucket").value;
	const window = $("window").value;
	const answers = await Promise.all([
		call(`/sms-series?bucket=${bucket}`),
		call(`/sms-rates?window=${window}&by=country`),
		call(`/sms-rates?window=${window}&by=range`),
		call("/sms-stats"),
		call("/protection"),
		call(`/refusals/recent?hours=${WINDOW_HOURS[window]}`),
	]);
	const failed = answers.find((a) => !a.ok);
	if (failed) return { failed };
	const [series, country, range, stats, protection, recent] = answers.map((a) => a.data);
	return { data: { window, series, country, range, stats, protection, recent } };
}

function draw() {
	if (!latest) return;
	const { window, series, country, range, stats, protection, recent } = latest;
	drawSeries(series);
	drawRates("chart-country", country);
	drawRates("chart-range", range);
	drawFailures(stats, window);
	drawRefusals(stats, window);
	drawRecentRefusals(recent);
	drawProtection(protection, document.querySelector("#protection .chart").clientWidth || 300, act);
}

/** Loads and draws; a 401 sends the operator back to the token form. */
async function load() {
	show("updated", "Loading…");
	const { failed, data } = await fetchAll();
	if (failed) {
		show("updated", "");
		if (failed.status === 401) return signOut("That token was not accepted. Type the admin token again.");
		show("console-status", failed.data.message ?? `The server answered ${failed.status}.`);
		return false;
	}
	show("console-status", "");
	latest = data;
	draw();
	show("updated", `Updated ${new Date(data.stats.generatedAt).toUTCString()}.`);
	return true;
}

function signOut(message) {
	token = null;
	latest = null;
	for (const box of document.querySelectorAll(".chart")) box.replaceChildren();
	$("step-console").hidden = true;
	$("step-token").hidden = false;
	show("token-status", message);
	$("admin-token").focus();
	return false;
}

/** An action on a range from the table, then the ranges redrawn. */
async function act(kind, range) {
	const path = kind === "unblock" ? "/protection/unblock" : "/protection/safe";
	const res = await call(path, { method: "POST", body: { range } });
	if (res.status === 401) return signOut("That token was not accepted. Type the admin token again.");
	show(
		"protection-status",
		res.ok
			? kind === "unblock"
				? res.data.message
				: `${res.data.entry} is on the safe list of ${res.data.range}.`
			: (res.data.message ?? `The server answered ${res.status}.`),
	);
	if (res.ok) await load();
	$("protection-status").focus();
}

$("token-form").addEventListener("submit", async (event) => {
	event.preventDefault();
	const input = $("admin-token");
	const typed = input.value.trim();
	input.value = "";
	if (!typed) {
		show("token-status", "Type the admin token.");
		input.focus();
		return;
	}
	token = typed;
	show("token-status", "");
	$("step-token").hidden = true;
	$("step-console").hidden = false;
	if (await load()) $("console-title").focus();
});

$("controls").addEventListener("submit", (event) => {
	event.preventDefault();
	load();
});
for (const id of ["bucket", "window"]) $(id).addEventListener("change", () => load());
$("forget").addEventListener("click", () => signOut(""));

$("safe-form").addEventListener("submit", async (event) => {
	event.preventDefault();
	const entry = $("safe-entry").value.trim();
	if (!entry) return show("protection-status", "Type a range prefix or a number.");
	await act("safe", entry);
	$("safe-entry").value = "";
});

let lastWidth = window.innerWidth;
let pending = 0;
window.addEventListener("resize", () => {
	if (window.innerWidth === lastWidth) return;
	lastWidth = window.innerWidth;
	clearTimeout(pending);
	pending = setTimeout(draw, 150);
});
