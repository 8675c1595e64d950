import { vi } from "vitest";

/**
 * Captures everything written to the console. The Worker, its Durable
 * Objects and the tests share one isolate, so this sees the Worker's log
 * lines. Calls still reach the real console (a failing test shows them).
 */

const METHODS = ["log", "info", "warn", "error", "debug"] as const;
export type ConsoleMethod = (typeof METHODS)[number];

export interface ConsoleCall {
	method: ConsoleMethod;
	args: unknown[];
}

/** A parsed log line: one JSON object with at least `level` and `event`. */
export type LogLine = Record<string, unknown> & { level: string; event: string };

export interface LogCapture {
	/** Every console call since the capture started, in order. */
	calls(): ConsoleCall[];
	/** Every call whose single argument is a JSON object; the rest are skipped. */
	lines(): LogLine[];
	/** The `event:"request"` lines carrying `requestId`. */
	requestLines(requestId: string): LogLine[];
	/** The lines of `event` carrying `requestId`. */
	events(event: string, requestId?: string): LogLine[];
}

export function captureLogs(): LogCapture {
	const calls: ConsoleCall[] = [];
	for (const method of METHODS) {
		const original = console[method].bind(console);
		vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
			calls.push({ method, args });
			original(...args);
		});
	}
	const lines = () => calls.flatMap((call) => parsedLine(call) ?? []);
	return {
		calls: () => [...calls],
		lines,
		requestLines: (requestId) => lines().filter((l) => l.event === "request" && l.requestId === requestId),
		events: (event, requestId) =>
			lines().filter((l) => l.event === event && (requestId === undefined || l.requestId === requestId)),
	};
}

/** The call as a log line, or null when it is anything but one string holding one JSON object. */
export function parsedLine(call: ConsoleCall): LogLine | null {
	if (call.args.length !== 1 || typeof call.args[0] !== "string") return null;
	let value: unknown;
	try {
		value = JSON.parse(call.args[0]);
	} catch {
		return null;
	}
	if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
	return value as LogLine;
}

/** The text of every argument of every call, as a log reader would see it. */
export function argumentTexts(calls: ConsoleCall[]): string[] {
	return calls.flatMap((call) => call.args.map(textOf));
}

function textOf(arg: unknown): string {
	if (typeof arg === "string") return arg;
	if (arg instanceof Error) return `${arg.name}: ${arg.message}\n${arg.stack ?? ""}`;
	try {
		return JSON.stringify(arg) ?? String(arg);
	} catch {
		return String(arg);
	}
}

/** A v4 UUID, as crypto.randomUUID() makes them. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
