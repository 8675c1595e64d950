/** Waiting, in the Worker's tests (workerd) and in the ones that drive `wrangler dev` (Node) alike. */

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * Polls `probe` every `everyMs` until it gives a value (anything but undefined,
 * null or false); throws after `timeoutMs`, saying what it waited for.
 */
export async function eventually<T>(
	probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
	options: { what?: string | (() => string); timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
	const { what, timeoutMs = 5_000, everyMs = 20 } = options;
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined && value !== null && value !== false) return value;
		if (Date.now() > deadline) {
			const waitedFor = typeof what === "function" ? what() : what;
			throw new Error(`timed out after ${timeoutMs} ms${waitedFor ? ` waiting for ${waitedFor}` : ""}`);
		}
		await sleep(everyMs);
	}
}
