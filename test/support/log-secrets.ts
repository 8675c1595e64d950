import { expect } from "vitest";
import { type ConsoleCall, parsedLine } from "./log-capture";

/** Secrets as the log secrecy test looks for them in what was logged. */

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A secret and how to spot it in a log text. */
export interface Secret {
	label: string;
	found(text: string): boolean;
}

/** Found anywhere, as is. */
export const literal = (label: string, value: string): Secret => ({ label, found: (text) => text.includes(value) });

/** Found anywhere, whatever the case (email addresses). */
export const caseless = (label: string, value: string): Secret => ({
	label,
	found: (text) => text.toLowerCase().includes(value.toLowerCase()),
});

/**
 * Digits found as a number of their own: not inside a longer run of digits,
 * so a 6-digit code is not "found" inside a millisecond timestamp, a
 * duration or a customer id, but is found in `"otp":"123456"`,
 * `code 123456.` or `otp=123456&`.
 */
export const digits = (label: string, value: string): Secret => {
	const pattern = new RegExp(`(?<![0-9])${escapeRegExp(value)}(?![0-9])`);
	return { label, found: (text) => pattern.test(text) };
};

/** Every form a phone number could be logged in: E.164, digits only, national digits. */
export function phoneSecrets(label: string, phone: string): Secret[] {
	return [
		literal(`${label} (E.164)`, phone),
		digits(`${label} (digits only)`, phone.slice(1)),
		digits(`${label} (national)`, phone.slice(2)),
	];
}

/** A JWT, its payload and its signature: any of them logged is a leak. */
export function tokenSecrets(label: string, token: string): Secret[] {
	const [, payload, signature] = token.split(".");
	expect(payload, `${label} is a JWT`).toBeTruthy();
	expect(signature, `${label} is a JWT`).toBeTruthy();
	return [
		literal(label, token),
		literal(`${label} payload`, payload as string),
		literal(`${label} signature`, signature as string),
	];
}

/** The secrets found in `texts`, with the text each was found in. */
export function leaks(texts: string[], secrets: Secret[]): string[] {
	return secrets.flatMap((secret) =>
		texts.filter((text) => secret.found(text)).map((text) => `${secret.label} in: ${text}`),
	);
}

/** One string holding one JSON object with string `level` and `event`, written at its level's console method. */
export function structured(call: ConsoleCall): boolean {
	const line = parsedLine(call);
	if (!line || typeof line.level !== "string" || typeof line.event !== "string" || line.event === "") return false;
	const method = line.level === "error" ? "error" : line.level === "warn" ? "warn" : "log";
	return line.level in { info: 1, warn: 1, error: 1 } && call.method === method;
}
