import { scrollBox } from "./admin-charts.js";

/**
 * Recent refused sends (GET /api/admin/refusals/recent): one row per hour,
 * calling code and reason, the newest hour first, as the refusals table keeps
 * them. The table scrolls inside its own box, both ways, so a long list or a
 * phone's width never widens the page.
 */

/** Each reason of src/abuse/refusals.ts in plain words; an unknown one shows as it is. */
const REASONS = {
	range_throttled: "Range throttled: too many unverified sends to the range",
	block_throttled: "Block throttled: too many unverified sends to one block of the range",
	range_blocked: "Range blocked: too few codes verified",
	budget: "Hourly SMS budget spent",
	country: "Country not allowed",
	network: "Too many requests from one address",
	challenge: "Bot check failed or missing",
	country_mismatch: "Request from a country that is not the number's",
	network_sends: "Too many SMS for one client network this hour",
	asn_sends: "Too many SMS for one network operator (ASN) this hour",
};

const WINDOW_NAMES = { 1: "the last hour", 24: "the last day", 168: "the last week" };

/** Draws the list into `#recent-refusals .chart`. */
export function drawRecentRefusals(recent) {
	const box = document.querySelector("#recent-refusals .chart");
	const span = WINDOW_NAMES[recent.hours] ?? `the last ${recent.hours} hours`;
	const scroller = scrollBox(`Recent refused sends, ${span}`);
	scroller.classList.add("recent-scroll");
	const table = document.createElement("table");
	table.id = "recent-refusals-table";
	const caption = document.createElement("caption");
	caption.textContent = `Per hour, ${span}, the newest first`;
	const head = document.createElement("thead");
	const titles = document.createElement("tr");
	// The count comes before the long reason, so it stays in view at a phone's width.
	for (const title of ["Hour (UTC)", "Calling code", "Count", "Reason"]) titles.append(cell("th", title, "col"));
	head.append(titles);
	const body = document.createElement("tbody");
	for (const r of recent.rows) body.append(line(r));
	if (recent.rows.length === 0) {
		const empty = document.createElement("tr");
		const td = cell("td", "No refused sends in this window.");
		td.colSpan = 4;
		empty.append(td);
		body.append(empty);
	}
	table.append(caption, head, body);
	scroller.append(table);
	const nodes = [scroller];
	if (recent.truncated) {
		const more = document.createElement("p");
		more.className = "hint";
		more.textContent = `The newest ${recent.rows.length} rows; older ones are left out.`;
		nodes.push(more);
	}
	box.replaceChildren(...nodes);
}

function line(r) {
	const tr = document.createElement("tr");
	if (r.observed) tr.className = "observed";
	const reason = cell("td", REASONS[r.reason] ?? r.reason);
	// The word of the logs' `reason`, to search them by.
	const word = document.createElement("code");
	word.textContent = r.reason;
	reason.append(" (", word, ")");
	if (r.observed) {
		const tag = document.createElement("span");
		tag.className = "tag";
		tag.textContent = "would refuse (observe)";
		reason.append(" ", tag);
	}
	tr.append(
		cell("th", r.hour.slice(5, 16).replace("T", " "), "row"),
		cell("td", r.callingCode === "unknown" ? "unknown" : `+${r.callingCode}`),
		cell("td", String(r.count)),
		reason,
	);
	return tr;
}

function cell(kind, text, scope) {
	const node = document.createElement(kind);
	node.textContent = text;
	if (scope) node.scope = scope;
	return node;
}
