import { barChart, legend, scrollBox } from "./admin-charts.js";

/**
 * The ranges the SMS protection acts on (GET /api/admin/protection), as a
 * chart of each range's unverified sends against its room, and a table with
 * the operator's actions: unblock a range, safe-list it.
 */

const STATES = {
	blocked: "Blocked (conversion rate)",
	throttled: "Throttled",
	throttled_suspect: "Throttled for suspect requests",
	clear: "Clear",
};

/**
 * Draws the ranges; `act(kind, range)` runs an action (`unblock`, `safe`)
 * when its button is pressed.
 */
export function drawProtection(protection, width, act) {
	const box = document.querySelector("#protection .chart");
	const names = [{ name: "Unverified sends" }, { name: "Room (allowance)" }];
	const chart = barChart({
		title: "Unverified sends against each range's room",
		summary: protection.ranges.length
			? protection.ranges.map((r) => `${r.range}: ${STATES[r.state]}, ${r.unverified} of ${r.allowance}`).join("; ")
			: "No range is throttled, blocked or safe-listed.",
		width,
		rows: protection.ranges.map((r) => ({ label: r.range, values: [r.unverified, r.allowance] })),
		series: names,
		axis: { x: "Sends", y: "Range" },
	});
	const level = document.createElement("p");
	level.className = "hint";
	level.textContent = `Protection level: ${protection.level}.`;
	box.replaceChildren(level, chart, legend(names, "bar"), rangesTable(protection.ranges, act));
}

function rangesTable(ranges, act) {
	const scroller = scrollBox("Ranges the protection acts on");
	const table = document.createElement("table");
	table.id = "ranges";
	const caption = document.createElement("caption");
	caption.textContent = "Ranges the protection acts on, with their actions";
	const head = document.createElement("thead");
	// The actions come third, so they stay in view at a phone's width; the figures scroll.
	head.append(row("th", ["Range", "State", "Actions", "Unverified / room", "Refusals", "Safe list"]));
	const body = document.createElement("tbody");
	for (const r of ranges) {
		const buttons = document.createElement("div");
		buttons.className = "row-actions";
		buttons.append(
			button(`Unblock ${r.range}`, "Unblock", r.state === "clear", () => act("unblock", r.range)),
			button(`Safe-list ${r.range}`, "Safe-list", r.safe.includes(r.range), () => act("safe", r.range)),
		);
		const actions = document.createElement("td");
		actions.append(buttons);
		const line = document.createElement("tr");
		line.append(
			cell("th", r.range, { scope: "row" }),
			cell("td", STATES[r.state] ?? r.state, {}),
			actions,
			cell("td", `${r.unverified} / ${r.allowance}`, {}),
			cell("td", String(r.refusals), {}),
			cell("td", r.safe.join(", ") || "none", {}),
		);
		body.append(line);
	}
	if (ranges.length === 0) {
		const empty = row("td", ["No range is throttled, blocked or safe-listed."]);
		empty.firstChild.colSpan = 6;
		body.append(empty);
	}
	table.append(caption, head, body);
	scroller.append(table);
	return scroller;
}

function row(kind, texts) {
	const tr = document.createElement("tr");
	for (const text of texts) tr.append(cell(kind, text, kind === "th" ? { scope: "col" } : {}));
	return tr;
}

function cell(kind, text, attrs) {
	const node = document.createElement(kind);
	node.textContent = text;
	for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
	return node;
}

function button(label, text, disabled, onClick) {
	const b = document.createElement("button");
	b.type = "button";
	b.className = "secondary small";
	b.textContent = text;
	b.setAttribute("aria-label", label);
	b.disabled = disabled;
	b.addEventListener("click", onClick);
	return b;
}
