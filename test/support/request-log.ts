import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { LogCapture, LogLine } from "./log-capture";

/** The request line and X-Request-Id, as the request log tests check them. */

/** What the Worker accepts as a caller's X-Request-Id. */
export const CALLER_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export const get = (path: string, headers: Record<string, string> = {}) =>
	exports.default.fetch(`http://localhost${path}`, { headers });

/** No route matched: the line names none, or at most a catch-all pattern, never the path asked for. */
export function expectNoConcretePath(line: LogLine): void {
	if (line.route !== null) expect(line.route).toMatch(/\*/);
}

export const masked = (phone: string) => `${phone.slice(0, 5)}***${phone.slice(-4)}`;

/**
 * The response's X-Request-Id, checked against the one request line written
 * for it in `logs`: same id, method, status, a whole non-negative duration.
 */
export function requestLineOf(logs: LogCapture, res: Response, method: string): LogLine {
	const id = res.headers.get("X-Request-Id");
	expect(id, "X-Request-Id header").toBeTruthy();
	expect(id).toMatch(CALLER_ID);
	const lines = logs.requestLines(id as string);
	expect(lines, `request lines for ${id}`).toHaveLength(1);
	const line = lines[0] as LogLine;
	expect(line).toMatchObject({ event: "request", requestId: id, method, status: res.status });
	expect(line.level).toBe(res.status >= 500 ? "error" : "info");
	expect(typeof line.durationMs).toBe("number");
	expect(Number.isInteger(line.durationMs)).toBe(true);
	expect(line.durationMs as number).toBeGreaterThanOrEqual(0);
	return line;
}
