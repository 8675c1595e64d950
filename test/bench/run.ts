import { mkdirSync, writeFileSync } from "node:fs";
import { createFakeTwilio } from "../support/fake-twilio.ts";
import { serveFetch } from "../support/serve.ts";
import type { WranglerDev } from "../support/wrangler-dev.ts";
import { CHEAP_SCRYPT, PRODUCTION_SCRYPT, startBenchDev } from "./bench-dev.ts";
import { createClient } from "./client.ts";
import { envInt, runBenchmark } from "./harness.ts";
import { type Run, render, summary } from "./report.ts";
import { scenarios } from "./scenarios.ts";

/**
 * `npm run bench`: throughput, latency and workerd CPU per request of the
 * registration and sign-in routes against `wrangler dev`, next to baselines
 * (bench-worker.ts), and the targets they are held to. A report, not a test:
 * a target that is not met is printed, never fatal.
 *
 * Env: BENCH_REQUESTS (300), BENCH_CONCURRENCY (8), BENCH_HASHING_REQUESTS
 * (60: hash, send-otp and full registration at the production scrypt cost,
 * where each takes a quarter of a second of CPU), BENCH_ROUNDS (4: every
 * scenario is measured in that many interleaved rounds).
 *
 * Where the CPU goes, component by component: `npm run bench:profile` (profile.ts).
 */

const REQUESTS = envInt("BENCH_REQUESTS", 300);
const HASHING_REQUESTS = envInt("BENCH_HASHING_REQUESTS", 60);
const ROUNDS = envInt("BENCH_ROUNDS", 4);
const RUNS = [
	{ cost: PRODUCTION_SCRYPT, hashing: HASHING_REQUESTS },
	{ cost: CHEAP_SCRYPT, hashing: REQUESTS },
];

const fake = createFakeTwilio();
const servers: { stop(): Promise<void> }[] = [];
/** The instance being measured, whose output explains a failure. */
let current: WranglerDev | undefined;

async function main(): Promise<void> {
	const twilio = await serveFetch(fake.fetch);
	servers.push({ stop: twilio.close });
	const runs: Run[] = [];
	for (const { cost, hashing } of RUNS) {
		console.error(`\n== ${cost.label}: starting wrangler dev`);
		const dev = await startBenchDev(cost, twilio.url);
		servers.push(dev);
		current = dev;
		const results = await scenarios(dev, createClient(dev, fake), { requests: REQUESTS, hashing, rounds: ROUNDS });
		runs.push({ label: cost.label, results });
		await dev.stop();
	}
	const report = render(runs, ROUNDS);
	console.log(`\n${report}`);
	mkdirSync("bench-results", { recursive: true });
	writeFileSync("bench-results/bench.md", report);
	// Last on the terminal, where it is seen: the verdicts.
	console.error(`written to bench-results/bench.md\n\n${summary(runs).join("\n")}`);
}

runBenchmark(main, servers, () => current);
