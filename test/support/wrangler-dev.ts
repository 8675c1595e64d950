import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { sleep } from "./wait.ts";

/**
 * Runs `wrangler dev` as a real local server for end-to-end tests and the
 * benchmark. Needs no vitest and uses only erasable TypeScript, so plain
 * Node 22 (`node test/bench/run.ts`) can import it as well as vitest.
 *
 * Invariants:
 * - Each instance is hermetic: its own D1/DO state (`--persist-to`), its own
 *   dev registry (`WRANGLER_REGISTRY_PATH`) and an empty `--env-file`, so a
 *   developer's `.dev.vars` or another `wrangler dev` on the machine changes nothing.
 * - wrangler runs in its own process group (pgid = its pid); `workerd` inherits
 *   it. Signals go to the whole group and only to it.
 * - If this process exits without calling `stop()`, an exit hook SIGKILLs the group.
 */

export type WranglerLogLevel = "debug" | "info" | "log" | "warn" | "error" | "none";

export interface WranglerDevOptions {
	/**
	 * The wrangler config, relative to `cwd`.
	 * @default "wrangler.toml"
	 */
	config?: string;
	/** Passed as `--var NAME:value`, overriding `[vars]`. */
	vars?: Record<string, string>;
	/**
	 * `--log-level`. `warn` silences per-request logging (it costs throughput).
	 * @default "log"
	 */
	logLevel?: WranglerLogLevel;
	/**
	 * The project root, where `node_modules/wrangler` lives.
	 * @default process.cwd()
	 */
	cwd?: string;
	/**
	 * How long migrations plus startup may take before giving up, in ms.
	 * @default 60000
	 */
	startTimeoutMs?: number;
}

export interface WranglerDev {
	/** `http://127.0.0.1:<port>`, already answering. */
	url: string;
	/** The wrangler process id, which is also the process group id. */
	pid: number;
	/** `http://127.0.0.1:<port>` of wrangler's DevTools inspector (`/json` lists the Worker). */
	inspectorUrl: string;
	/** SIGTERM to the group, SIGKILL after a grace period; removes the temp dirs. Idempotent. */
	stop(): Promise<void>;
	/** The `workerd` processes of this instance: wrangler's dev proxy and the Worker's runtime. */
	workerdPids(): number[];
	/** Everything wrangler has printed so far, stdout and stderr interleaved. */
	output(): string;
}

const MAX_OUTPUT_CHARS = 2_000_000;
/** wrangler colours its warnings even on a pipe; `output()` is plain text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes is the point.
const ANSI = /\u001b\[[0-9;]*m/g;
const STOP_GRACE_MS = 5_000;
const live = new Set<{ pid: number; dir: string }>();

process.once("exit", () => {
	for (const instance of live) {
		killGroup(instance.pid, "SIGKILL");
		rmSync(instance.dir, { recursive: true, force: true });
	}
});

/**
 * Applies the D1 migrations to a fresh local state, starts `wrangler dev` on a
 * free loopback port and resolves once it answers HTTP.
 *
 * @example
 * const dev = await startWranglerDev({ vars: { ENVIRONMENT: "development" } });
 * try { await fetch(`${dev.url}/openapi.json`); } finally { await dev.stop(); }
 */
export async function startWranglerDev(options: WranglerDevOptions = {}): Promise<WranglerDev> {
	const cwd = resolve(options.cwd ?? process.cwd());
	const config = options.config ?? "wrangler.toml";
	const timeoutMs = options.startTimeoutMs ?? 60_000;
	const deadline = Date.now() + timeoutMs;
	const dir = mkdtempSync(join(tmpdir(), "wrangler-dev-"));
	const persistTo = join(dir, "state");
	const envFile = join(dir, "empty.env");
	writeFileSync(envFile, "");
	const env = {
		...process.env,
		WRANGLER_REGISTRY_PATH: join(dir, "registry"),
		WRANGLER_SEND_METRICS: "false",
	};
	const wrangler = [join(cwd, "node_modules/wrangler/bin/wrangler.js")];

	try {
		await run(
			process.execPath,
			[...wrangler, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo, "-c", config],
			{ cwd, env, timeout: timeoutMs },
		);
	} catch (err) {
		rmSync(dir, { recursive: true, force: true });
		throw err;
	}

	const [port, inspectorPort] = (await freePorts(2)) as [number, number];
	const vars = Object.entries(options.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
	const flags = {
		"-c": config,
		"--ip": "127.0.0.1",
		"--port": String(port),
		"--inspector-port": String(inspectorPort),
		"--persist-to": persistTo,
		"--env-file": envFile,
		"--log-level": options.logLevel ?? "log",
	};
	const args = [...wrangler, "dev", ...Object.entries(flags).flat(), ...vars, "--show-interactive-dev-session=false"];
	const child = spawn(process.execPath, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
	const pid = child.pid;
	if (pid === undefined) throw new Error("wrangler dev did not start");
	const entry = { pid, dir };
	live.add(entry);

	let output = "";
	const capture = (chunk: Buffer) => {
		output += chunk.toString();
		if (output.length > MAX_OUTPUT_CHARS) output = output.slice(-MAX_OUTPUT_CHARS / 2);
	};
	child.stdout?.on("data", capture);
	child.stderr?.on("data", capture);
	const exited = new Promise<number | null>((done) => {
		child.once("exit", (code) => done(code));
		child.once("error", () => done(null));
	});

	let stopping: Promise<void> | undefined;
	const stop = () => {
		stopping ??= (async () => {
			await stopGroup(pid, child);
			live.delete(entry);
			rmSync(dir, { recursive: true, force: true });
		})();
		return stopping;
	};

	const url = `http://127.0.0.1:${port}`;
	try {
		await waitForHttp(url, deadline, exited);
	} catch (err) {
		await stop();
		const shown = output.replace(ANSI, "");
		throw new Error(`wrangler dev (${config}) did not come up: ${(err as Error).message}\n--- output ---\n${shown}`);
	}
	const inspectorUrl = `http://127.0.0.1:${inspectorPort}`;
	const workerdPids = () => groupPids(pid, "workerd");
	return { url, pid, inspectorUrl, stop, workerdPids, output: () => output.replace(ANSI, "") };
}

/**
 * Ports that were free a moment ago: binds port 0 on loopback `count` times,
 * reads the ports, then releases them all (held together, so they differ).
 */
export async function freePorts(count: number): Promise<number[]> {
	const servers = await Promise.all(
		Array.from(
			{ length: count },
			() =>
				new Promise<Server>((done, fail) => {
					const server = createServer();
					server.once("error", fail);
					server.listen(0, "127.0.0.1", () => done(server));
				}),
		),
	);
	const ports = servers.map((server) => (server.address() as AddressInfo).port);
	await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
	return ports;
}

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
export function clockTicksPerSecond(): number {
	const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
	return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
}

/** utime + stime of the processes, in clock ticks; a process that is gone counts 0. */
export function cpuTicks(pids: readonly number[]): number {
	let total = 0;
	for (const pid of pids) {
		const stat = readStat(pid);
		if (stat) total += stat.utime + stat.stime;
	}
	return total;
}

/** The processes whose process group is `pgid` and whose command name is `comm`. */
export function groupPids(pgid: number, comm: string): number[] {
	const pids: number[] = [];
	for (const name of readdirSync("/proc")) {
		if (!/^\d+$/.test(name)) continue;
		const stat = readStat(Number(name));
		if (stat && stat.pgrp === pgid && stat.comm === comm) pids.push(Number(name));
	}
	return pids;
}

interface Stat {
	comm: string;
	pgrp: number;
	utime: number;
	stime: number;
}

/** Parses /proc/<pid>/stat. `comm` may hold spaces or parentheses, so split at the last `)`. */
function readStat(pid: number): Stat | null {
	let text: string;
	try {
		text = readFileSync(`/proc/${pid}/stat`, "utf8");
	} catch {
		return null;
	}
	const open = text.indexOf("(");
	const close = text.lastIndexOf(")");
	// Fields after the comm, numbered from 3 (state) as in proc(5).
	const rest = text.slice(close + 2).split(" ");
	const field = (n: number) => Number(rest[n - 3]);
	return { comm: text.slice(open + 1, close), pgrp: field(5), utime: field(14), stime: field(15) };
}

async function waitForHttp(url: string, deadline: number, exited: Promise<number | null>): Promise<void> {
	let gone: number | null | undefined;
	void exited.then((code) => {
		gone = code;
	});
	let last = "no attempt";
	while (Date.now() < deadline) {
		if (gone !== undefined) throw new Error(`wrangler exited with code ${gone}`);
		try {
			const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
			await res.arrayBuffer();
			return;
		} catch (err) {
			last = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : String(err);
		}
		await sleep(200);
	}
	throw new Error(`no HTTP answer from ${url} in time (last error: ${last})`);
}

async function stopGroup(pgid: number, child: ChildProcess): Promise<void> {
	if (!groupAlive(pgid)) return;
	killGroup(pgid, "SIGTERM");
	const deadline = Date.now() + STOP_GRACE_MS;
	while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
	if (groupAlive(pgid)) killGroup(pgid, "SIGKILL");
	while (groupAlive(pgid)) await sleep(50);
	child.stdout?.destroy();
	child.stderr?.destroy();
}

/** True while any process is left in the group (signal 0 only checks). */
function groupAlive(pgid: number): boolean {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch {
		return false;
	}
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pgid, signal);
	} catch {
		// Already gone.
	}
}

function run(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeout: number }) {
	return new Promise<string>((done, fail) => {
		execFile(file, args, { ...options, maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) => {
			if (!err) return done(stdout + stderr);
			const why = err.killed ? `killed by ${err.signal} (timeout?)` : `exit code ${err.code}`;
			fail(
				new Error(`wrangler ${args.slice(1, 4).join(" ")} failed, ${why}:\n${`${stdout}${stderr}`.replace(ANSI, "")}`),
			);
		});
	});
}
