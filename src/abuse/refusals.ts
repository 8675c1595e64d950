import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../platform/app-env";
import { errorMessage, log } from "../platform/log";
import { protectionStore } from "./protection-store";
import type { RangeNotice } from "./range-episode";
import { RefusalTally } from "./refusal-tally";

/**
 * Why a send was refused: one word per layer, the same in the log lines
 * (`reason`), the `refusals` table and GET /api/admin/sms-stats.
 */
export const REFUSAL_REASONS = [
	/** The range guard: too many unverified sends to the range (SMS_RANGE_THROTTLED). */
	"range_throttled",
	/** The range guard: too many unverified sends to one block of the range (SMS_RANGE_THROTTLED). */
	"block_throttled",
	/** The conversion-rate guard blocked the range (SMS_PREFIX_BLOCKED). */
	"range_blocked",
	/** An hourly SMS budget is spent (SMS_BUDGET_EXHAUSTED). */
	"budget",
	/** The country policy (COUNTRY_NOT_ALLOWED). */
	"country",
	/** The per-address limits of the sending routes (RATE_LIMITED). */
	"network",
	/** The bot check (CAPTCHA_FAILED, CAPTCHA_REQUIRED). */
	"challenge",
	/** Strict signals: the request's country is none of the number's (COUNTRY_MISMATCH). */
	"country_mismatch",
	/** Strict signals: the client network sent too many SMS this hour (RATE_LIMITED). */
	"network_sends",
	/** Strict signals: the autonomous system sent too many SMS this hour (RATE_LIMITED). */
	"asn_sends",
] as const;

export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface RefusalOptions {
	/** SMS_PROTECTION=observe: it would have been refused, and was not. Logged as `sms_would_refuse`. */
	observed?: boolean;
	/** @default "warn" */
	level?: "warn" | "error";
	/** The log line's event, for layers with a name of their own. @default "sms_refused" */
	event?: string;
}

/**
 * Invariant: a refusal never waits on D1. This isolate's tally takes it in
 * memory; `protectionLog` writes the tally in one batch (waitUntil) once it is
 * 10 s old or holds 100 keys, or once a range's guard reported an episode. Counts of an isolate evicted before its next
 * write are lost: the stats may miss a few refusals, never invent one. The log
 * line, written at once, is the complete record.
 */
const tally = new RefusalTally();
/** Ranges whose guard reported an episode, for the index; the latest report of each. */
let notices = new Map<string, RangeNotice>();
/** Ranges waiting for the index, at most: a notice is rare (a transition), this bounds a flood of ranges. */
const MAX_NOTICES = 1000;

/**
 * A refused SMS send: one log line with its `reason` (never the number, only
 * its masked form), and one more refusal in the tally.
 *
 * @example
 * refusal("budget", { callingCode: phone.callingCode, phone: phone.masked, scope }, { level: "error" });
 */
export function refusal(
	reason: RefusalReason,
	fields: { callingCode?: string } & Record<string, unknown>,
	{ observed = false, level = "warn", event }: RefusalOptions = {},
): void {
	log(level, event ?? (observed ? "sms_would_refuse" : "sms_refused"), { reason, ...fields });
	tally.add({ reason, callingCode: fields.callingCode ?? "unknown", observed }, Date.now());
}

/** A range's guard reported an episode of refusals (range-episode.ts): the index hears of it with the next write. */
export function noteProtectedRange(range: string, notice: RangeNotice): void {
	if (notices.size < MAX_NOTICES || notices.has(range)) notices.set(range, notice);
}

/** An operator cleared the range: a report still waiting here must not bring its row back. */
export const forgetProtectedRange = (range: string) => void notices.delete(range);

/** Whether this isolate holds anything the next request should write: a due tally, or a range to index. */
export const protectionLogDue = (now = Date.now()) => notices.size > 0 || tally.due(now);

/**
 * Writes this isolate's tally and range reports to D1 now, in one batch. A
 * failed write keeps them for the next one and is logged; it never throws.
 */
export async function flushProtectionLog(db: D1Database, now = Date.now()): Promise<void> {
	const counts = tally.drain();
	const ranges = notices;
	if (counts.length === 0 && ranges.size === 0) return;
	notices = new Map();
	try {
		await protectionStore(db).write(counts, ranges);
	} catch (err) {
		tally.restore(counts, now);
		for (const [range, notice] of ranges) if (!notices.has(range)) noteProtectedRange(range, notice);
		log("warn", "refusals_not_written", { keys: counts.length, ranges: ranges.size, error: errorMessage(err) });
	}
}

/**
 * After each API request: if the tally is due, writes it once the answer is
 * out (waitUntil), so no request waits for it.
 */
export const protectionLog = createMiddleware<AppEnv>(async (c, next) => {
	await next();
	if (!protectionLogDue()) return;
	try {
		c.executionCtx.waitUntil(flushProtectionLog(c.env.DB));
	} catch {
		// No execution context (app.request without one): the next request writes it.
	}
});
