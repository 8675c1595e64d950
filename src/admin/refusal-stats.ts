import type { RefusalRow } from "../abuse/protection-store";

/** Refusals summed: in all, per reason, and per calling code. */
export interface RefusalCounts {
	total: number;
	byReason: Record<string, number>;
	/** Keyed by calling code without `+`; `unknown` for refusals made before the number was read. */
	byCallingCode: Record<string, { total: number; byReason: Record<string, number> }>;
}

export interface RefusalWindow extends RefusalCounts {
	/** The start of the first hour counted: refusals are stored per hour. */
	since: string;
	/** What SMS_PROTECTION=observe let through that would have been refused. */
	observed: RefusalCounts;
}

const HOUR_MS = 3_600_000;

/** Where a window of `windowMs` before `now` starts in hours: the hour that holds its start, so nothing in it is missed. */
export const refusalWindowStart = (now: number, windowMs: number) => Math.floor((now - windowMs) / HOUR_MS) * HOUR_MS;

/** One window's refusals from the rows the store summed per reason, calling code and observed. */
export function summarizeRefusals(since: number, rows: RefusalRow[]): RefusalWindow {
	return {
		since: new Date(since).toISOString(),
		...counts(rows.filter((r) => !r.observed)),
		observed: counts(rows.filter((r) => r.observed)),
	};
}

function counts(rows: RefusalRow[]): RefusalCounts {
	const byCallingCode: RefusalCounts["byCallingCode"] = {};
	for (const code of [...new Set(rows.map((r) => r.callingCode))].sort()) {
		const mine = rows.filter((r) => r.callingCode === code);
		byCallingCode[code] = { total: sum(mine), byReason: byReason(mine) };
	}
	return { total: sum(rows), byReason: byReason(rows), byCallingCode };
}

const sum = (rows: RefusalRow[]) => rows.reduce((n, r) => n + r.count, 0);

function byReason(rows: RefusalRow[]): Record<string, number> {
	const out: Record<string, number> = {};
	for (const r of [...rows].sort((a, b) => a.reason.localeCompare(b.reason)))
		out[r.reason] = (out[r.reason] ?? 0) + r.count;
	return out;
}
