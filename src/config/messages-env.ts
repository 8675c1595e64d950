import { z } from "zod";
import { gsm7Units } from "../phone/gsm7";

/**
 * The settings of what a code's message says: the language when the person
 * gives none, the Android app hash, and the caps that keep every SMS template
 * in one segment (test/messaging/i18n proves each language fits at the caps).
 */

/** The languages every message exists in; BCP 47 primary subtags. */
export const LOCALES = ["en", "es", "pt", "fr", "de", "hi", "id", "ar", "tr", "ru"] as const;
export type Locale = (typeof LOCALES)[number];

/** APP_NAME is named in the SMS: at most this many GSM-7 septets, GSM-7 characters only. */
export const APP_NAME_MAX_UNITS = 20;
/**
 * The host of PUBLIC_BASE_URL ends every SMS (`@host #code`). The UCS-2
 * languages (70 characters a segment) bound it: their short wording, the
 * Android hash and the autofill line must fit together.
 */
export const AUTOFILL_HOST_MAX_LENGTH = 22;

const blankIsUnset = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const messagesVars = {
	APP_NAME: z
		.string()
		.trim()
		.min(1)
		.default("Acme")
		.refine(
			(name) => (gsm7Units(name) ?? Number.POSITIVE_INFINITY) <= APP_NAME_MAX_UNITS,
			`must be at most ${APP_NAME_MAX_UNITS} characters of the GSM-7 SMS alphabet ({}[]~^|\\€ count 2), so every SMS fits one segment`,
		),
	DEFAULT_LOCALE: z.preprocess(
		(v) => (typeof v === "string" && v.trim() ? v.trim().toLowerCase() : undefined),
		z.enum(LOCALES, { error: `must be one of ${LOCALES.join(", ")}` }).default("en"),
	),
	/** Google's SMS Retriever hash of the Android app (package name + signing certificate). */
	ANDROID_APP_HASH: z.preprocess(
		blankIsUnset,
		z
			.string()
			.trim()
			.regex(/^[A-Za-z0-9+/]{11}$/, "must be the 11-character SMS Retriever hash (letters, digits, + and /)")
			.optional(),
	),
};

/** The host of PUBLIC_BASE_URL as the SMS autofill line names it; undefined when unset. */
export function autofillHostOf(publicBaseUrl: string | undefined): string | undefined {
	return publicBaseUrl ? new URL(publicBaseUrl).hostname : undefined;
}

/** PUBLIC_BASE_URL's host must fit the autofill line of every SMS. */
export function messagesProblems(v: { PUBLIC_BASE_URL?: string }, ctx: z.RefinementCtx): void {
	const host = autofillHostOf(v.PUBLIC_BASE_URL);
	if (host && host.length > AUTOFILL_HOST_MAX_LENGTH)
		ctx.addIssue({
			code: "custom",
			path: ["PUBLIC_BASE_URL"],
			message: `host must be at most ${AUTOFILL_HOST_MAX_LENGTH} characters: every SMS ends with @host #code and must stay one segment`,
		});
}
