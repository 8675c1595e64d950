import { z } from "zod";
import { LOCALES } from "./messages-env";
import { countryList, int, optionalString } from "./schema-parts";

/** How a code travels: a text, a WhatsApp template, a voice call to the phone, or an email to the registration's address. */
export const CHANNELS = ["sms", "whatsapp", "call", "email"] as const;
export type Channel = (typeof CHANNELS)[number];

/** The channels that reach the phone itself, in the order fallback may try them. */
export const PHONE_CHANNELS = ["sms", "whatsapp", "call"] as const;
export type PhoneChannel = (typeof PHONE_CHANNELS)[number];

const blankIsUnset = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const list = <T extends string>(allowed: readonly T[], message: string) =>
	z
		.string()
		.transform((s) =>
			s
				.split(",")
				.map((c) => c.trim().toLowerCase())
				.filter(Boolean),
		)
		.refine((l) => l.every((c) => (allowed as readonly string[]).includes(c)), message)
		.transform((l) => [...new Set(l)] as T[]);

/** `HX` and 32 hex digits: a Twilio Content API template. */
const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;

/** The settings of the code's channels, as zod reads them (part of envSchema). Messages never quote a value. */
export const channelVars = {
	/** Unset: `sms`, plus `email` while EMAIL_FALLBACK_ENABLED is true. */
	OTP_CHANNELS: z.preprocess(
		blankIsUnset,
		list(CHANNELS, "must be a comma-separated list of sms, whatsapp, call, email").optional(),
	),
	/** Where voice calls may go: none by default (voice is a toll-fraud target). */
	OTP_CALL_COUNTRIES: countryList,
	OTP_CHANNEL_ORDER: z.preprocess(
		blankIsUnset,
		list(PHONE_CHANNELS, "must be a comma-separated list of sms, whatsapp, call").default(["sms", "whatsapp", "call"]),
	),
	OTP_AUTO_FALLBACK: z.preprocess(blankIsUnset, z.enum(["on", "off"], { error: "must be on or off" }).default("off")),
	OTP_FALLBACK_AFTER_SECONDS: int(5, 3600, 30),
	TWILIO_WHATSAPP_FROM: z.preprocess(
		blankIsUnset,
		z
			.string()
			.trim()
			.regex(/^whatsapp:\+[1-9]\d{7,14}$/, "must be whatsapp: and an E.164 number (whatsapp:+1…)")
			.optional(),
	),
	/** One template sid, or `en:HX…,es:HX…` by language (of LOCALES); `en` (or the bare sid) is the fallback. */
	TWILIO_WHATSAPP_CONTENT_SID: z.preprocess(
		blankIsUnset,
		z
			.string()
			.optional()
			.transform((s, ctx) => {
				if (s === undefined) return undefined;
				const sids = new Map<string, string>();
				for (const [index, entry] of s
					.split(",")
					.map((e) => e.trim())
					.filter(Boolean)
					.entries()) {
					const m = /^(?:([A-Za-z]{2,3}):)?(\S+)$/.exec(entry);
					const language = m?.[1]?.toLowerCase() ?? "";
					const known = language === "" || (LOCALES as readonly string[]).includes(language);
					if (!m || !known || !CONTENT_SID.test(m[2] as string)) {
						ctx.addIssue({
							code: "custom",
							message: `entry ${index + 1} is not HX… or language:HX… with a language of ${LOCALES.join(" ")}`,
						});
						return z.NEVER;
					}
					sids.set(language, m[2] as string);
				}
				if (!sids.has("") && !sids.has("en")) {
					ctx.addIssue({ code: "custom", message: "needs a default entry: a bare HX… or en:HX…" });
					return z.NEVER;
				}
				return sids;
			}),
	),
	/** Unset: TWILIO_PHONE_NUMBER. */
	TWILIO_VOICE_FROM: optionalString.refine(
		(v) => v === undefined || /^\+[1-9]\d{7,14}$/.test(v),
		"must be an E.164 number, like +14155552671",
	),
};

const channelObject = z.object(channelVars);
type Vars = z.infer<typeof channelObject>;

/** What the code's channels may do, parsed once. */
export interface ChannelPolicy {
	/** OTP_CHANNELS: every other channel answers CHANNEL_UNAVAILABLE. */
	enabled: ReadonlySet<Channel>;
	/** OTP_CHANNEL_ORDER, enabled ones only: the order otp-status offers and fallback tries them. */
	order: readonly PhoneChannel[];
	/** OTP_CALL_COUNTRIES: countries and calling codes a voice call may go to; empty: none. */
	callCountries: readonly string[];
	/** OTP_AUTO_FALLBACK=on: a failed or silent send makes the phone's object send by the next channel, once. */
	autoFallback: boolean;
	fallbackAfterMs: number;
}

/** The WhatsApp and voice senders' settings: the template per language, and who speaks. */
export interface TwilioChannels {
	whatsappFrom?: string;
	/** Lower-case language tag (`""` for a bare sid) → content sid. */
	whatsappContentSids: ReadonlyMap<string, string>;
	voiceFrom?: string;
}

export function channelPolicyOf(v: Vars, emailEnabled: boolean): ChannelPolicy {
	const listed = v.OTP_CHANNELS ?? (emailEnabled ? ["sms", "email"] : ["sms"]);
	const enabled = new Set<Channel>(listed.filter((c) => c !== "email" || emailEnabled));
	return {
		enabled,
		order: v.OTP_CHANNEL_ORDER.filter((c) => enabled.has(c)),
		callCountries: v.OTP_CALL_COUNTRIES,
		autoFallback: v.OTP_AUTO_FALLBACK === "on",
		fallbackAfterMs: v.OTP_FALLBACK_AFTER_SECONDS * 1000,
	};
}

export function twilioChannelsOf(v: Vars & { TWILIO_PHONE_NUMBER?: string }): TwilioChannels {
	return {
		whatsappFrom: v.TWILIO_WHATSAPP_FROM,
		whatsappContentSids: v.TWILIO_WHATSAPP_CONTENT_SID ?? new Map(),
		voiceFrom: v.TWILIO_VOICE_FROM ?? v.TWILIO_PHONE_NUMBER,
	};
}

/** Half a channel's setup: refused everywhere for an enabled channel that cannot send, and more in production. */
export function channelProblems(
	v: Vars & { TWILIO_PHONE_NUMBER?: string; EMAIL_FALLBACK_ENABLED: boolean; PUBLIC_BASE_URL?: string },
	production: boolean,
	twilioReady: boolean,
	ctx: z.RefinementCtx,
): void {
	const listed = v.OTP_CHANNELS ?? [];
	const add = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
	if (listed.includes("email") && !v.EMAIL_FALLBACK_ENABLED)
		add("OTP_CHANNELS", "lists email while EMAIL_FALLBACK_ENABLED is false");
	// Without Twilio (outside production) the console senders stand in, so the settings are not needed.
	if (!production && !twilioReady) return;
	if (listed.includes("whatsapp")) {
		if (!v.TWILIO_WHATSAPP_FROM) add("TWILIO_WHATSAPP_FROM", "is required while OTP_CHANNELS lists whatsapp");
		if (!v.TWILIO_WHATSAPP_CONTENT_SID)
			add("TWILIO_WHATSAPP_CONTENT_SID", "is required while OTP_CHANNELS lists whatsapp");
	}
	if (listed.includes("call") && !(v.TWILIO_VOICE_FROM ?? v.TWILIO_PHONE_NUMBER))
		add("TWILIO_VOICE_FROM", "(or TWILIO_PHONE_NUMBER) is required while OTP_CHANNELS lists call");
	if (production && v.OTP_AUTO_FALLBACK === "on" && !v.PUBLIC_BASE_URL)
		add("OTP_AUTO_FALLBACK", "needs PUBLIC_BASE_URL in production: without receipts every send would fall back");
}
