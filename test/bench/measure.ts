import { readdirSync, readFileSync } from "node:fs";
import { clockTicksPerSecond, cpuTicks, type WranglerDev } from "../support/wrangler-dev.ts";
import { envInt } from "./harness.ts";

/** Requests in flight at once (BENCH_CONCURRENCY, 8). */
export const CONCURRENCY = envInt("BENCH_CONCURRENCY", 8);

export interface Result {
	scenario: string;
	requests: number;
	rps: number;
	p50: number;
	p99: number;
	/** All workerd processes of the instance, per request. */
	cpuMs: number;
	/** Without the dev-only proxy workerd that wrangler puts in front: the Worker's own process. */
	workerCpuMs: number;
}

/** What one batch of requests took. */
export interface Sample {
	count: number;
	seconds: number;
	latencies: number[];
	/** CPU of every workerd of the instance, and of all but wrangler's proxy, in ms. */
	allMs: number;
	workerMs: number;
}

/**
 * `count` requests (`request(from)` … `request(from + count - 1)`),
 * `CONCURRENCY` at a time; the CPU of the instance's workerd processes is
 * read before and after.
 */
export async function sample(
	dev: WranglerDev,
	count: number,
	request: (i: number) => Promise<unknown>,
	from = 0,
): Promise<Sample> {
	const pids = dev.workerdPids();
	const proxy = pids.filter((pid) => isProxy(pid, dev.url));
	const [allBefore, proxyBefore] = [cpuMs(pids), cpuMs(proxy)];
	const latencies: number[] = [];
	const start = performance.now();
	await pool(count, async (i) => {
		const t = performance.now();
		await request(from + i);
		latencies.push(performance.now() - t);
	});
	const seconds = (performance.now() - start) / 1000;
	const allMs = cpuMs(pids) - allBefore;
	return { count, seconds, latencies, allMs, workerMs: allMs - (cpuMs(proxy) - proxyBefore) };
}

/** One scenario's figures from its samples (rounds of it, or one). */
export function summarize(scenario: string, samples: Sample[]): Result {
	const sum = (f: (s: Sample) => number) => samples.reduce((total, s) => total + f(s), 0);
	const requests = sum((s) => s.count);
	const latencies = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
	const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
	return {
		scenario,
		requests,
		rps: requests / sum((s) => s.seconds),
		p50: at(0.5),
		p99: at(0.99),
		cpuMs: sum((s) => s.allMs) / requests,
		workerCpuMs: sum((s) => s.workerMs) / requests,
	};
}

/** `count` requests of one scenario, measured in one go. */
export async function measure(
	dev: WranglerDev,
	scenario: string,
	count: number,
	request: (i: number) => Promise<unknown>,
): Promise<Result> {
	return summarize(scenario, [await sample(dev, count, request)]);
}

/** Runs `task(0)` … `task(count - 1)`, `CONCURRENCY` at a time. */
export async function pool(count: number, task: (i: number) => Promise<unknown>): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < count) await task(next++);
	};
	await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
}

/** The Worker's own workerd: every workerd of the instance but wrangler's proxy. */
export function workerPids(dev: WranglerDev): number[] {
	return dev.workerdPids().filter((pid) => !isProxy(pid, dev.url));
}

/** The workerd that listens on the public port is wrangler's proxy, not the Worker. */
function isProxy(pid: number, url: string): boolean {
	try {
		const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
		return args.includes(`--socket-addr=entry=${new URL(url).host}`);
	} catch {
		return false;
	}
}

const TICK_MS = 1000 / clockTicksPerSecond();
/** How CPU is read: the scheduler's nanoseconds where Linux keeps them, else utime+stime ticks. */
export const CPU_SOURCE = hasSchedstat() ? "ns from /proc/<pid>/task/*/schedstat" : `utime+stime, ${TICK_MS} ms ticks`;

/**
 * CPU time the processes have used, in ms. The scheduler's per-thread
 * runtime (`schedstat`) is exact to the nanosecond, where utime+stime count
 * 10 ms ticks: at 40 requests a tick is 0.25 ms per request, as large as the
 * differences the targets judge. workerd's threads live as long as it does,
 * so summing the live threads loses nothing. A process that is gone counts 0.
 */
export function cpuMs(pids: readonly number[]): number {
	if (!hasSchedstat()) return cpuTicks(pids) * TICK_MS;
	let ns = 0;
	for (const pid of pids) {
		let tasks: string[];
		try {
			tasks = readdirSync(`/proc/${pid}/task`);
		} catch {
			continue;
		}
		for (const tid of tasks) {
			try {
				ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
			} catch {
				// The thread ended between the listing and the read.
			}
		}
	}
	return ns / 1e6;
}

function hasSchedstat(): boolean {
	try {
		return Number.isFinite(Number(readFileSync("/proc/self/schedstat", "utf8").split(" ")[0]));
	} catch {
		return false;
	}
}
