import type { Email } from "./email-sender";
import { otpEmail, otpMessage } from "./templates";

/**
 * TEMPORARY English stand-in for the i18n module (branch `i18n`:
 * `src/messaging/i18n/`), under the names it provides. Replaced by its
 * re-exports once that branch is merged; it translates nothing.
 */

export type Locale = string;

export function pickLocale(
	bodyLocale: string | undefined,
	acceptLanguage: string | undefined,
	fallback: Locale,
): Locale {
	const first = bodyLocale ?? acceptLanguage?.split(",")[0]?.split(";")[0]?.trim();
	return first && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(first) ? first.toLowerCase() : fallback;
}

export const DEFAULT_LOCALE: Locale = "en";

export function smsText(o: {
	appName: string;
	code: string;
	ttlMs: number;
	purpose: "register" | "reset";
	locale: Locale;
	host?: string;
	androidHash?: string;
}): string {
	return otpMessage(o.appName, o.code, o.ttlMs, o.purpose);
}

export function voiceTwiml(o: {
	appName: string;
	code: string;
	locale: Locale;
	purpose: "register" | "reset";
}): string {
	const digits = o.code.split("").join(", ");
	const name = o.appName.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
	const say = `Your ${name} code is ${digits}.`;
	return `<Response><Say language="en-US">${say}</Say><Pause length="1"/><Say language="en-US">Again: ${say}</Say></Response>`;
}

export function emailText(appName: string, to: string, code: string, ttlMs: number, _locale: Locale): Email {
	return otpEmail(appName, to, code, ttlMs);
}
