import type { Email } from "./email-sender";

// What a code's message says, by channel and purpose.

/** The text of a verification SMS; a reset code says what it unlocks and what to do if unasked. */
export function otpMessage(
	appName: string,
	code: string,
	ttlMs: number,
	purpose: "register" | "reset" = "register",
): string {
	const expiry = expiryPhrase(ttlMs);
	if (purpose === "reset")
		return `Your ${appName} password reset code is ${code}. It expires in ${expiry}. If you did not ask for it, ignore this message.`;
	return `Your ${appName} verification code is ${code}. It expires in ${expiry}.`;
}

/** `5 minutes`; never overstated: whole minutes when the TTL is whole minutes, seconds otherwise. */
export function expiryPhrase(ttlMs: number): string {
	const minutes = ttlMs / 60_000;
	return Number.isInteger(minutes)
		? `${minutes} minute${minutes === 1 ? "" : "s"}`
		: `${Math.floor(ttlMs / 1000)} seconds`;
}

/**
 * The email that carries a registration code when SMS did not arrive: plain
 * text and an equivalent HTML part, the service in the subject, the code, its
 * expiry, and what to do if it was not expected.
 */
export function otpEmail(appName: string, to: string, code: string, ttlMs: number): Email {
	const expiry = expiryPhrase(ttlMs);
	const subject = `${appName} verification code`;
	const text = [
		`Your ${appName} verification code is ${code}.`,
		"",
		`It expires in ${expiry}. Enter it where you started your registration.`,
		"",
		`If you did not try to register with ${appName}, ignore this email: nothing happens without the code.`,
	].join("\n");
	const name = escapeHtml(appName);
	const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#111">
<p>Your ${name} verification code is:</p>
<p style="font-size:28px;font-weight:bold;letter-spacing:4px">${code}</p>
<p>It expires in ${expiry}. Enter it where you started your registration.</p>
<p style="color:#555">If you did not try to register with ${name}, ignore this email: nothing happens without the code.</p>
</body>
</html>`;
	return { to, subject, text, html };
}

function escapeHtml(s: string): string {
	return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
