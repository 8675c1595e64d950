import { expiryPhrase, TEXTS } from "./catalog";
import type { Purpose } from "./lang/texts";
import type { Locale } from "./locale";

export interface SmsTextOptions {
	appName: string;
	code: string;
	ttlMs: number;
	purpose: Purpose;
	locale: Locale;
	/** The host of PUBLIC_BASE_URL: the message then ends with the WebOTP line `@host #code`. */
	host?: string;
	/** Google's 11-character SMS Retriever hash of the Android app. */
	androidHash?: string;
}

/**
 * The SMS that carries a code: one plain sentence in the person's language,
 * then the Android app hash on its own line (SMS Retriever finds it
 * anywhere), then the origin-bound line `@host #code`, which the WebOTP /
 * one-time-code format requires to be the last line. Fits one segment at the
 * caps of config/messages-env.ts (test/messaging/i18n proves it).
 *
 * @example smsText({ appName: "Acme", code: "123456", ttlMs: 300_000, purpose: "register", locale: "en", host: "verify.example.com" })
 * // "Your Acme verification code is 123456. It expires in 5 minutes.\n@verify.example.com #123456"
 */
export function smsText(o: SmsTextOptions): string {
	const texts = TEXTS[o.locale];
	const host = o.host || undefined;
	const body = texts.sms[o.purpose]({
		app: o.appName,
		code: o.code,
		expiry: expiryPhrase(texts, o.ttlMs),
		short: host !== undefined,
	});
	const lines = [body];
	if (o.androidHash) lines.push(o.androidHash);
	if (host) lines.push(`@${host} #${o.code}`);
	return lines.join("\n");
}
