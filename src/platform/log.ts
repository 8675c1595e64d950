import { DrizzleQueryError } from "drizzle-orm";

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

export { maskPhone } from "../phone/mask";

/** `jane.doe@example.com` → `j***@example.com`: the domain helps support, the name stays private. */
export function maskEmail(email: string): string {
	const at = email.lastIndexOf("@");
	if (at < 1) return "***";
	return `${email[0]}***${email.slice(at)}`;
}

/** Causes followed at most; a longer (or circular) chain stops there. */
const MAX_CAUSES = 8;

/**
 * What a log line may say about a failure: the root cause's own message,
 * found by walking `cause`. Drizzle wraps every driver error as "Failed
 * query: … params: …", and the parameters are emails, phone numbers and
 * password hashes; the driver's error below it names the problem without
 * them. With `stack`, the root's stack (it starts with that same message).
 * Neither ever includes a DrizzleQueryError's own text beyond its SQL.
 * @example
 * catch (err) { log("error", "x_failed", { error: errorMessage(err) }); }
 */
export function errorMessage(err: unknown, options: { stack?: boolean } = {}): string {
	let root = err;
	for (let depth = 0; depth < MAX_CAUSES && root instanceof Error && root.cause !== undefined; depth++)
		root = root.cause;
	if (root instanceof DrizzleQueryError) return `Failed query: ${root.query}`;
	if (!(root instanceof Error)) return String(root);
	return (options.stack && root.stack) || root.message;
}
