import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import { guardPolicy } from "../abuse/clear-to-send";
import type { GuardFigures } from "../abuse/prefix-guard";
import { prefixGuardOf } from "../abuse/prefix-guard";
import { protectionStore } from "../abuse/protection-store";
import { flushProtectionLog, forgetProtectedRange } from "../abuse/refusals";
import { MAX_SAFE_ENTRIES } from "../abuse/safe-list";
import type { ProtectedRange } from "../db/schema";
import { ApiError } from "../errors/errors";
import { readPrefix } from "../phone/range";
import type { AppEnv } from "../platform/app-env";
import { errorMessage, log } from "../platform/log";
import type { addSafe, listProtection, removeSafe, unblockRange } from "./protection.routes";

const WEEK_MS = 7 * 86_400_000;
const MAX_RANGES = 100;
const ORDER = { blocked: 0, throttled: 1, throttled_suspect: 2, clear: 3 } as const;

export const listProtectionHandler: RouteHandler<typeof listProtection, AppEnv> = async (c) => {
	const now = c.get("now");
	const store = protectionStore(c.env.DB);
	// This isolate's own reports first, so a range it just saw refuse is listed.
	await flushProtectionLog(c.env.DB);
	const rows = await store.ranges(now - WEEK_MS, MAX_RANGES);
	const ranges = await Promise.all(rows.map(async (row) => present(row, await figuresOf(c, row.range))));
	ranges.sort((a, b) => ORDER[a.state] - ORDER[b.state]);
	return c.json(
		{
			success: true as const,
			generatedAt: new Date(now).toISOString(),
			level: c.get("config").protection.level,
			ranges,
		},
		200,
	);
};

export const unblockRangeHandler: RouteHandler<typeof unblockRange, AppEnv> = async (c) => {
	const typed = c.req.valid("json").range;
	const read = readPrefix(typed);
	if (!read || read.prefix !== read.range)
		throw new ApiError(
			"VALIDATION_ERROR",
			"range: must be a number range, like +1876 (a calling code and three digits)",
			{
				field: "range",
			},
		);
	const { range } = read;
	forgetProtectedRange(range);
	const figures = await guarded(() => prefixGuardOf(c.env, range).clear(guardPolicy(c.get("config"))));
	const now = c.get("now");
	await protectionStore(c.env.DB).cleared(range, now);
	log("info", "range_unblocked", { range });
	const row: ProtectedRange = { range, state: "clear", since: new Date(now), updatedAt: new Date(now), safe: false };
	return c.json(
		{ success: true as const, message: `${range} is no longer throttled or blocked`, range: present(row, figures) },
		200,
	);
};

export const addSafeHandler: RouteHandler<typeof addSafe, AppEnv> = async (c) => {
	const body = c.req.valid("json");
	return setSafe(c, body, body.safe);
};

export const removeSafeHandler: RouteHandler<typeof removeSafe, AppEnv> = async (c) =>
	setSafe(c, c.req.valid("json"), false);

/** Adds or removes one entry of a range's safe list, in its guard, then marks the index. */
async function setSafe(
	c: Context<AppEnv>,
	body: { range?: string; phone?: { e164: string; range: string } },
	safe: boolean,
) {
	const { range, entry } = entryOf(body);
	const result = await guarded(() => prefixGuardOf(c.env, range).setSafe(entry, safe));
	if (!result)
		throw new ApiError(
			"VALIDATION_ERROR",
			`range: ${range} already has ${MAX_SAFE_ENTRIES} safe entries; safe-list a shorter prefix`,
			{ field: body.range === undefined ? "phone" : "range" },
		);
	await protectionStore(c.env.DB).markSafe(range, result.safe.length > 0, c.get("now"));
	// The range, never the number: an entry may be one.
	if (result.changed) log("info", safe ? "range_safe_listed" : "range_safe_unlisted", { range });
	return c.json({ success: true as const, range, entry, safe, changed: result.changed, safeList: result.safe }, 200);
}

/** The entry a body names (exactly one of a prefix and a number) and the range whose guard keeps it. */
function entryOf(body: { range?: string; phone?: { e164: string; range: string } }) {
	if ((body.range === undefined) === (body.phone === undefined))
		throw new ApiError("VALIDATION_ERROR", "body: give exactly one of range and phone", { field: "range" });
	if (body.phone) return { range: body.phone.range, entry: body.phone.e164 };
	const read = readPrefix(body.range as string);
	if (!read)
		throw new ApiError(
			"VALIDATION_ERROR",
			"range: must be a number prefix of at least a whole range, like +1876 or +1876555 (broader prefixes go in SMS_SAFE_RANGES)",
			{ field: "range" },
		);
	return { range: read.range, entry: read.prefix };
}

/** A guard object that fails is SERVICE_UNAVAILABLE, logged. */
async function guarded<T>(call: () => Promise<T>): Promise<T> {
	try {
		return await call();
	} catch (err) {
		log("error", "sms_guard_unavailable", { error: errorMessage(err) });
		throw new ApiError("SERVICE_UNAVAILABLE");
	}
}

const figuresOf = (c: Context<AppEnv>, range: string) =>
	guarded(() => prefixGuardOf(c.env, range).figures(guardPolicy(c.get("config"))));

/** A row of the index with its guard's figures, as the API answers it. */
function present(row: ProtectedRange, f: GuardFigures) {
	return {
		range: row.range,
		callingCode: readPrefix(row.range)?.callingCode ?? "unknown",
		state: f.state,
		reported: { state: row.state, since: row.since.toISOString(), updatedAt: row.updatedAt.toISOString() },
		unverified: f.unverified,
		allowance: f.allowance,
		sends: f.sends,
		verified: f.verified,
		provenVerified: f.provenVerified,
		blocks: f.blocks,
		throttledBlocks: f.throttledBlocks,
		blockedFor: Math.ceil(f.blockedFor / 1000),
		refusals: f.episode?.refusals ?? 0,
		lastRefusedAt: f.episode ? new Date(f.episode.lastAt).toISOString() : null,
		safe: f.safe,
	};
}
