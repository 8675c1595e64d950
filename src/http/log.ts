/**
 * One JSON object per line, so Workers Logs can index the fields.
 * Callers pass only non-secret fields: never a code, password or full phone.
 */
export function log(level: "info" | "warn" | "error", event: string, fields: Record<string, unknown> = {}): void {
	const line = JSON.stringify({ level, event, ...fields });
	if (level === "error") console.error(line);
	else if (level === "warn") console.warn(line);
	else console.log(line);
}

/** `+14155552671` → `+1415***2671`: enough for support, useless to an attacker. */
export function maskPhone(phone: string): string {
	if (phone.length <= 8) return `${phone.slice(0, 2)}***`;
	return `${phone.slice(0, 5)}***${phone.slice(-4)}`;
}

/** `jane.doe@example.com` → `j***@example.com`: the domain helps support, the name stays private. */
export function maskEmail(email: string): string {
	const at = email.lastIndexOf("@");
	if (at < 1) return "***";
	return `${email[0]}***${email.slice(at)}`;
}

/**
 * What to log of an error: the root cause's own message. Drizzle wraps a
 * driver's error in one whose message lists the query's parameters (emails,
 * phones, hashes), so only the innermost cause is ever logged.
 */
export function errorMessage(err: unknown): string {
	let root = err;
	while (root instanceof Error && root.cause instanceof Error) root = root.cause;
	return root instanceof Error ? root.message : String(root);
}
