import type { WranglerDev } from "../support/wrangler-dev.ts";

/** A positive integer from the environment, or `fallback`. */
export function envInt(name: string, fallback: number): number {
	const value = Number(process.env[name] ?? fallback);
	if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
	return value;
}

/**
 * Runs a benchmark's `main`, then stops every server it started, once,
 * whatever asked first (the end, an error, a signal). On an error it prints
 * the tail of the wrangler dev output that explains it.
 */
export function runBenchmark(
	main: () => Promise<void>,
	servers: { stop(): Promise<void> }[],
	current: () => WranglerDev | undefined,
): void {
	let exiting: Promise<never> | undefined;
	const shutdown = (code: number): Promise<never> => {
		exiting ??= Promise.allSettled(servers.map((s) => s.stop())).then(() => process.exit(code));
		return exiting;
	};
	process.once("SIGINT", () => void shutdown(130));
	process.once("SIGTERM", () => void shutdown(143));
	main().then(
		() => shutdown(0),
		(err: unknown) => {
			console.error(err);
			const dev = current();
			if (dev) console.error(`--- wrangler dev output (tail) ---\n${dev.output().slice(-4000)}`);
			return shutdown(1);
		},
	);
}
