import { expiryPhrase, TEXTS } from "./catalog";
import type { Locale } from "./locale";
import { escapeXml } from "./voice";

/** An email as the senders take it (messaging/email-sender.ts `Email`, which this folder must not import). */
export interface LocalizedEmail {
	to: string;
	subject: string;
	text: string;
	html: string;
}

/**
 * The email that carries a registration code when SMS did not arrive, in the
 * person's language: plain text and an equivalent HTML part (`lang`, and
 * `dir="rtl"` for Arabic), the service in the subject, the code, its expiry,
 * and what to do if it was not expected.
 */
export function otpEmail(appName: string, to: string, code: string, ttlMs: number, locale: Locale): LocalizedEmail {
	const t = TEXTS[locale];
	const { email } = t;
	const expiry = expiryPhrase(t, ttlMs);
	const subject = email.subject(appName);
	const text = [email.codeLine(appName, code), "", email.expires(expiry), "", email.ignore(appName)].join("\n");
	const html = `<!doctype html>
<html lang="${locale}" dir="${t.dir}">
<head><meta charset="utf-8"><title>${escapeXml(subject)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#111">
<p>${escapeXml(email.codeIntro(appName))}</p>
<p style="font-size:28px;font-weight:bold;letter-spacing:4px" dir="ltr">${code}</p>
<p>${escapeXml(email.expires(expiry))}</p>
<p style="color:#555">${escapeXml(email.ignore(appName))}</p>
</body>
</html>`;
	return { to, subject, text, html };
}
