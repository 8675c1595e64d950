import { z } from "zod";
import { int } from "./schema-parts";

/**
 * The event webhook (README: "Events"): where signed events go and the key
 * that signs them. No URL, no events: nothing is queued, nothing is sent.
 * Like every message of the schema, these never quote the value.
 */

const blankIsUnset = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** Standard Webhooks' symmetric secret: `whsec_` and the base64 of the key. */
const SECRET_FORMAT = /^whsec_([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MIN_KEY_BYTES = 24;

/**
 * Signs events outside production when EVENTS_WEBHOOK_SECRET is unset, so
 * `npm run dev` with only a URL still sends verifiable events. Never accepted
 * in production. The key is the bytes of "dev-only-events-secret-not-for-production".
 */
export const DEV_EVENTS_SECRET = "whsec_ZGV2LW9ubHktZXZlbnRzLXNlY3JldC1ub3QtZm9yLXByb2R1Y3Rpb24=";

export const eventsFields = {
	EVENTS_WEBHOOK_URL: z.preprocess(
		blankIsUnset,
		z
			.url("must be a URL")
			.refine((u) => /^https?:$/.test(protocolOf(u)), "must be an http or https URL")
			.optional(),
	),
	EVENTS_WEBHOOK_SECRET: z.preprocess(
		blankIsUnset,
		z
			.string()
			.trim()
			.regex(SECRET_FORMAT, {
				message: "must be whsec_ followed by base64 (whsec_$(openssl rand -base64 32))",
				abort: true,
			})
			.refine(
				(s) => keyOf(s).length >= MIN_KEY_BYTES,
				`must decode to at least ${MIN_KEY_BYTES} bytes (whsec_$(openssl rand -base64 32))`,
			)
			.optional(),
	),
	/** Standard Webhooks recommends giving receivers 15 to 30 seconds. */
	EVENTS_WEBHOOK_TIMEOUT_MS: int(1000, 30_000, 15_000),
};

/** Where events go and how they are signed; absent when EVENTS_WEBHOOK_URL is unset. */
export interface EventsConfig {
	url: string;
	/** The HMAC-SHA256 key: the decoded base64 part of the `whsec_` secret. */
	key: Uint8Array;
	timeoutMs: number;
}

interface EventsVars {
	ENVIRONMENT: string;
	EVENTS_WEBHOOK_URL?: string;
	EVENTS_WEBHOOK_SECRET?: string;
	EVENTS_WEBHOOK_TIMEOUT_MS: number;
}

/** The parsed settings, or undefined without a URL: events are off. */
export function eventsSettings(v: EventsVars): EventsConfig | undefined {
	if (!v.EVENTS_WEBHOOK_URL) return undefined;
	return {
		url: v.EVENTS_WEBHOOK_URL,
		key: keyOf(v.EVENTS_WEBHOOK_SECRET ?? DEV_EVENTS_SECRET),
		timeoutMs: v.EVENTS_WEBHOOK_TIMEOUT_MS,
	};
}

/** Production sends events only over https, signed with its own secret. */
export function eventsProblems(v: EventsVars, ctx: z.RefinementCtx): void {
	if (v.ENVIRONMENT !== "production" || !v.EVENTS_WEBHOOK_URL) return;
	if (protocolOf(v.EVENTS_WEBHOOK_URL) !== "https:")
		ctx.addIssue({ code: "custom", path: ["EVENTS_WEBHOOK_URL"], message: "must be an https URL in production" });
	if (!v.EVENTS_WEBHOOK_SECRET)
		ctx.addIssue({
			code: "custom",
			path: ["EVENTS_WEBHOOK_SECRET"],
			message: "is required in production once EVENTS_WEBHOOK_URL is set (wrangler secret put EVENTS_WEBHOOK_SECRET)",
		});
}

function keyOf(secret: string): Uint8Array {
	return Uint8Array.from(atob(secret.slice("whsec_".length)), (ch) => ch.charCodeAt(0));
}

function protocolOf(url: string): string {
	try {
		return new URL(url).protocol;
	} catch {
		return "";
	}
}
