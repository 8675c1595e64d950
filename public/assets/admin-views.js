import { barChart, dataTable, formatPercent, legend, lineChart } from "./admin-charts.js";

/**
 * The console's charts, drawn from the admin API's answers into the
 * `.chart` box of their section: SVG, legend, and the same numbers as a
 * table behind a toggle.
 */

const WINDOW_NAMES = { hour: "the last hour", day: "the last day", week: "the last week" };
const BUCKET_NAMES = { hour: "Hour (UTC)", day: "Day (UTC)", week: "Week starting (UTC)" };

function place(sectionId, nodes) {
	const box = document.querySelector(`#${sectionId} .chart`);
	box.replaceChildren(...nodes);
}

/** The width a chart may take in its section. */
const widthOf = (sectionId) => document.querySelector(`#${sectionId} .chart`).clientWidth || 300;

function timeLabel(iso, bucket) {
	const d = new Date(iso);
	if (bucket === "hour") return `${String(d.getUTCHours()).padStart(2, "0")}:00`;
	return d.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

/** Sends, deliveries and verifications per bucket (GET /api/admin/sms-series). */
export function drawSeries(series) {
	const names = [
		{ key: "sends", name: "SMS sent" },
		{ key: "delivered", name: "Delivered" },
		{ key: "verified", name: "Verified" },
		{ key: "refused", name: "Refused" },
	];
	const labels = series.points.map((p) => timeLabel(p.start, series.bucket));
	const total = (key) => series.points.reduce((n, p) => n + p[key], 0);
	const summary = `${names.map((s) => `${s.name}: ${total(s.key)}`).join(", ")}, over ${series.points.length} buckets.`;
	const chart = lineChart({
		title: "Sends, deliveries, verifications and refusals over time",
		summary,
		width: widthOf("chart-series"),
		labels,
		series: names.map((s) => ({ name: s.name, values: series.points.map((p) => p[s.key]) })),
		axis: { x: BUCKET_NAMES[series.bucket], y: "Count" },
	});
	const table = dataTable(
		`Per ${series.bucket}, from ${series.from} to ${series.to}`,
		["Start (UTC)", ...names.map((s) => s.name), "Failed"],
		series.points.map((p) => [
			p.start.slice(5, 16).replace("T", " "),
			...names.map((s) => String(p[s.key])),
			String(p.failed),
		]),
	);
	place("chart-series", [chart, legend(names), table]);
}

/** Delivery rate and conversion per calling code or range (GET /api/admin/sms-rates). */
export function drawRates(sectionId, rates) {
	const byCountry = rates.by === "country";
	const label = (key) => (byCountry ? `+${key}` : key);
	const names = [{ name: "Delivery rate" }, { name: "Conversion (verified / sent)" }];
	const chart = barChart({
		title: `Delivery rate and conversion by ${byCountry ? "country calling code" : "range"}, ${WINDOW_NAMES[rates.window]}`,
		summary: rates.rows.length
			? rates.rows
					.map(
						(r) =>
							`${label(r.key)}: delivered ${formatPercent(r.deliveryRate)}, converted ${formatPercent(r.conversion)}`,
					)
					.join("; ")
			: "No SMS in this window.",
		width: widthOf(sectionId),
		rows: rates.rows.map((r) => ({ label: label(r.key), values: [r.deliveryRate, r.conversion] })),
		series: names,
		max: 1,
		format: formatPercent,
		axis: { x: "Share of SMS sent", y: byCountry ? "Calling code" : "Range" },
	});
	const table = dataTable(
		`By ${byCountry ? "calling code" : "range"}, ${WINDOW_NAMES[rates.window]}`,
		[
			byCountry ? "Calling code" : "Range",
			"Sent",
			"Delivered",
			"Failed",
			"Delivery rate",
			"Challenges",
			"Verified",
			"Conversion",
		],
		rates.rows.map((r) => [
			label(r.key),
			String(r.sends),
			String(r.delivered),
			String(r.failed),
			formatPercent(r.deliveryRate),
			String(r.challenges),
			String(r.verified),
			formatPercent(r.conversion),
		]),
	);
	place(sectionId, [chart, legend(names, "bar"), table]);
}

/** Failed SMS per Twilio error code, from GET /api/admin/sms-stats. */
export function drawFailures(stats, window) {
	const failures = Object.entries(stats[window].failuresByErrorCode).sort((a, b) => b[1] - a[1]);
	const chart = barChart({
		title: `Failed SMS by provider error code, ${WINDOW_NAMES[window]}`,
		summary: failures.length
			? failures.map(([code, n]) => `${code}: ${n}`).join(", ")
			: "No failed SMS in this window.",
		width: widthOf("chart-failures"),
		rows: failures.map(([code, n]) => ({ label: code, values: [n] })),
		series: [{ name: "Failed SMS" }],
		axis: { x: "Failed SMS", y: "Error code" },
	});
	const table = dataTable(
		`Failed SMS by Twilio error code, ${WINDOW_NAMES[window]}`,
		["Error code", "Failed SMS"],
		failures.map(([code, n]) => [code, String(n)]),
	);
	place("chart-failures", [chart, table]);
}

/** Refused sends by reason, and by calling code in the table, from GET /api/admin/sms-stats. */
export function drawRefusals(stats, window) {
	const refused = stats.refusals[window];
	const reasons = Object.entries(refused.byReason).sort((a, b) => b[1] - a[1]);
	const chart = barChart({
		title: `Refused SMS sends by reason, ${WINDOW_NAMES[window]}`,
		summary: reasons.length
			? `${refused.total} refused: ${reasons.map(([r, n]) => `${r} ${n}`).join(", ")}.`
			: "No refused sends in this window.",
		width: widthOf("chart-refusals"),
		rows: reasons.map(([reason, n]) => ({ label: reason, values: [n] })),
		series: [{ name: "Refused sends" }],
		axis: { x: "Refused sends", y: "Reason" },
	});
	const rows = [];
	for (const [code, entry] of Object.entries(refused.byCallingCode))
		for (const [reason, n] of Object.entries(entry.byReason))
			rows.push([code === "unknown" ? "unknown" : `+${code}`, reason, String(n)]);
	const table = dataTable(
		`Refused sends since ${refused.since}, by calling code and reason`,
		["Calling code", "Reason", "Refused"],
		rows,
	);
	place("chart-refusals", [chart, table]);
}
