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
