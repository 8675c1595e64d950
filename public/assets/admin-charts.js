/**
 * Charts drawn as plain SVG, no library: a line chart over time and a
 * horizontal bar chart. Each is drawn at its container's width in pixels
 * (redrawn when the width changes), so its text stays legible at 320 px.
 * Colours come from classes in admin.css (`series-0` …), and every line
 * also differs by its dash, so colour is never the only cue. Each chart
 * comes with a toggleable table of the same numbers (see `dataTable`).
 */

const NS = "http://www.w3.org/2000/svg";
let ids = 0;

function svg(name, attrs = {}, text) {
	const node = document.createElementNS(NS, name);
	for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
	if (text !== undefined) node.textContent = text;
	return node;
}

/** A round upper bound for a count axis, and its whole tick step: 1, 2 or 5 times a power of ten. */
export function niceScale(max, ticks = 4) {
	if (!(max > 0)) return { max: ticks, step: 1 };
	const raw = max / ticks;
	const power = 10 ** Math.floor(Math.log10(raw));
	const step = Math.max(
		1,
		[1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw),
	);
	return { max: Math.ceil(max / step) * step, step };
}

function frame(title, summary, width, height) {
	const root = svg("svg", {
		width,
		height,
		viewBox: `0 0 ${width} ${height}`,
		role: "img",
		"aria-labelledby": `chart-${++ids}-t chart-${ids}-d`,
		class: "chart-svg",
	});
	root.append(svg("title", { id: `chart-${ids}-t` }, title), svg("desc", { id: `chart-${ids}-d` }, summary));
	return root;
}

/** The x label under the axis; the y label turned along the axis, or (`flat`, for short bar charts) above the row labels. */
function axisLabels(root, { x, y }, box, flat = false) {
	root.append(
		svg(
			"text",
			{ x: box.left + box.width / 2, y: box.top + box.height + 38, class: "axis-label", "text-anchor": "middle" },
			x,
		),
	);
	if (flat) {
		root.append(svg("text", { x: 0, y: 12, class: "axis-label" }, y));
		return;
	}
	const cy = box.top + box.height / 2;
	root.append(
		svg("text", { x: 12, y: cy, class: "axis-label", "text-anchor": "middle", transform: `rotate(-90 12 ${cy})` }, y),
	);
}

function empty(root, box, text = "No data in this window") {
	root.append(
		svg(
			"text",
			{ x: box.left + box.width / 2, y: box.top + box.height / 2, class: "empty", "text-anchor": "middle" },
			text,
		),
	);
}

/**
 * A line per series over time.
 * @param {{ title: string, summary: string, width: number, labels: string[],
 *   series: { name: string, values: number[] }[], axis: { x: string, y: string } }} o
 */
export function lineChart(o) {
	const width = Math.max(280, Math.floor(o.width));
	const height = width < 480 ? 220 : 280;
	const box = { left: 54, top: 12, width: width - 54 - 14, height: height - 12 - 48 };
	const root = frame(o.title, o.summary, width, height);
	const peak = Math.max(0, ...o.series.flatMap((s) => s.values));
	const { max, step } = niceScale(peak);
	const n = o.labels.length;
	const xAt = (i) => box.left + (n <= 1 ? box.width / 2 : (i * box.width) / (n - 1));
	const yAt = (v) => box.top + box.height - (v / max) * box.height;

	for (let v = 0; v <= max + 1e-9; v += step) {
		root.append(
			svg("line", { x1: box.left, x2: box.left + box.width, y1: yAt(v), y2: yAt(v), class: v === 0 ? "axis" : "grid" }),
		);
		root.append(svg("text", { x: box.left - 6, y: yAt(v) + 4, class: "tick", "text-anchor": "end" }, formatCount(v)));
	}
	const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(box.width / 72))));
	for (let i = 0; i < n; i += every) {
		root.append(
			svg("line", { x1: xAt(i), x2: xAt(i), y1: box.top + box.height, y2: box.top + box.height + 4, class: "axis" }),
		);
		root.append(
			svg("text", { x: xAt(i), y: box.top + box.height + 18, class: "tick", "text-anchor": "middle" }, o.labels[i]),
		);
	}
	axisLabels(root, o.axis, box);
	if (peak === 0) empty(root, box);
	o.series.forEach((s, k) => {
		const points = s.values.map((v, i) => `${xAt(i).toFixed(1)},${yAt(v).toFixed(1)}`).join(" ");
		const group = svg("g", { class: `series-${k}` });
		group.append(svg("polyline", { points, class: "line", fill: "none" }));
		s.values.forEach((v, i) => {
			if (v > 0) group.append(svg("circle", { cx: xAt(i), cy: yAt(v), r: 3, class: "dot" }));
		});
		root.append(group);
	});
	return root;
}

/**
 * Horizontal bars, one group per row and one bar per series.
 * @param {{ title: string, summary: string, width: number, rows: { label: string, values: number[] }[],
 *   series: { name: string }[], axis: { x: string, y: string }, max?: number, format?: (v: number) => string }} o
 */
export function barChart(o) {
	const width = Math.max(280, Math.floor(o.width));
	const format = o.format ?? formatCount;
	const per = o.series.length;
	const bar = 16;
	const group = per * bar + 10;
	// The y label sits above the rows: the row labels get the left margin to themselves.
	const left = Math.min(140, 7 * Math.max(4, ...o.rows.map((r) => r.label.length)) + 14);
	const box = { left, top: 22, width: width - left - 52, height: Math.max(1, o.rows.length) * group };
	const height = box.top + box.height + 48;
	const root = frame(o.title, o.summary, width, height);
	const peak = Math.max(0, ...o.rows.flatMap((r) => r.values));
	const { max, step } = o.max ? { max: o.max, step: o.max / 4 } : niceScale(peak);
	const xAt = (v) => box.left + (v / max) * box.width;

	for (let v = 0; v <= max + 1e-9; v += step) {
		root.append(
			svg("line", { x1: xAt(v), x2: xAt(v), y1: box.top, y2: box.top + box.height, class: v === 0 ? "axis" : "grid" }),
		);
		root.append(
			svg("text", { x: xAt(v), y: box.top + box.height + 16, class: "tick", "text-anchor": "middle" }, format(v)),
		);
	}
	axisLabels(root, o.axis, box, true);
	if (o.rows.length === 0) empty(root, box);
	o.rows.forEach((row, r) => {
		const top = box.top + r * group + 5;
		root.append(
			svg("text", { x: box.left - 6, y: top + (per * bar) / 2 + 4, class: "tick", "text-anchor": "end" }, row.label),
		);
		row.values.forEach((v, k) => {
			const y = top + k * bar;
			const w = Math.max(v > 0 ? 1 : 0, xAt(v ?? 0) - box.left);
			const g = svg("g", { class: `series-${k}` });
			g.append(svg("rect", { x: box.left, y: y + 1, width: w, height: bar - 3, class: "bar" }));
			g.append(svg("text", { x: box.left + w + 4, y: y + bar - 4, class: "value" }, v === null ? "n/a" : format(v)));
			root.append(g);
		});
	});
	return root;
}

/** The legend: each series' swatch (its colour, and its dash for lines) and name. */
export function legend(series, kind = "line") {
	const list = document.createElement("ul");
	list.className = "legend";
	series.forEach((s, k) => {
		const item = document.createElement("li");
		const key = svg("svg", { width: 24, height: 12, "aria-hidden": "true", class: `series-${k}` });
		key.append(
			kind === "bar"
				? svg("rect", { x: 0, y: 0, width: 24, height: 12, class: "bar" })
				: svg("line", { x1: 0, x2: 24, y1: 6, y2: 6, class: "line" }),
		);
		item.append(key, document.createTextNode(s.name));
		list.append(item);
	});
	return list;
}

/** The chart's numbers as a table, behind a toggle. */
export function dataTable(caption, head, rows) {
	const details = document.createElement("details");
	details.className = "data";
	const summary = document.createElement("summary");
	summary.textContent = "Show the numbers as a table";
	const scroller = scrollBox(caption);
	const table = document.createElement("table");
	const cap = document.createElement("caption");
	cap.textContent = caption;
	const thead = document.createElement("thead");
	const tr = document.createElement("tr");
	for (const h of head) {
		const th = document.createElement("th");
		th.scope = "col";
		th.textContent = h;
		tr.append(th);
	}
	thead.append(tr);
	const tbody = document.createElement("tbody");
	for (const row of rows) {
		const line = document.createElement("tr");
		row.forEach((cell, i) => {
			const td = document.createElement(i === 0 ? "th" : "td");
			if (i === 0) td.scope = "row";
			td.textContent = cell;
			line.append(td);
		});
		tbody.append(line);
	}
	table.append(cap, thead, tbody);
	scroller.append(table);
	details.append(summary, scroller);
	return details;
}

export const formatCount = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
export const formatPercent = (v) => (v === null || v === undefined ? "n/a" : `${Math.round(v * 100)}%`);

/** A box that scrolls a wide table sideways, reachable by keyboard so it can be scrolled without a mouse. */
export function scrollBox(label) {
	const box = document.createElement("div");
	box.className = "table-scroll";
	box.tabIndex = 0;
	box.setAttribute("role", "region");
	box.setAttribute("aria-label", label);
	return box;
}
