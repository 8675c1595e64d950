import { readdirSync, readFileSync, statSync } from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import { join } from "node:path";

/** The parts of a V8 CPU profile (Chrome DevTools protocol, `Profiler.stop`) read here. */
export interface CpuProfile {
	nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
	endTime: number;
}

/**
 * A V8 CPU profile of the Worker's isolate (its Durable Objects run in it
 * too) while `work` runs, from `Profiler.start` / `Profiler.stop` over the
 * DevTools protocol, through wrangler's inspector (`inspectorUrl`, from
 * `--inspector-port`). Only the Worker's JavaScript and what it calls
 * natively is sampled: the runtime's own work outside the isolate (HTTP,
 * RPC plumbing, local D1 and storage, the dev entry worker) is not.
 *
 * Use a young instance: wrangler's inspector proxy keeps every console
 * message of the Worker (a request log line per request) until a DevTools
 * client connects, then replays them all; after a whole bench's worth, that
 * keeps its workerd busy for minutes and stalls the dev server. (workerd's
 * own inspector takes no second session while wrangler holds one.)
 */
export async function profileWhile(
	inspectorUrl: string,
	work: () => Promise<void>,
	intervalUs: number,
): Promise<CpuProfile> {
	const ws = await connect(inspectorUrl);
	const pending = new Map<number, { done(result: unknown): void; failed(err: Error): void }>();
	let id = 0;
	ws.addEventListener("message", (event) => {
		const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: unknown };
		const waiting = message.id === undefined ? undefined : pending.get(message.id);
		if (!waiting || message.id === undefined) return;
		pending.delete(message.id);
		if (message.error) waiting.failed(new Error(`inspector: ${JSON.stringify(message.error)}`));
		else waiting.done(message.result);
	});
	const send = (method: string, params: object = {}) =>
		new Promise<unknown>((done, failed) => {
			pending.set(++id, { done, failed });
			ws.send(JSON.stringify({ id, method, params }));
		});
	try {
		await send("Profiler.enable");
		await send("Profiler.setSamplingInterval", { interval: intervalUs });
		await send("Profiler.start");
		await work();
		const { profile } = (await send("Profiler.stop")) as { profile: CpuProfile };
		await send("Profiler.disable");
		return profile;
	} finally {
		ws.close();
	}
}

/** A DevTools session with the Worker's isolate; a few tries, as the inspector may be between reloads. */
async function connect(inspectorUrl: string): Promise<WebSocket> {
	let problem = "";
	for (let attempt = 0; attempt < 5; attempt++) {
		if (attempt) await new Promise((wait) => setTimeout(wait, 1000));
		try {
			const targets = (await (await fetch(`${inspectorUrl}/json`)).json()) as { webSocketDebuggerUrl: string }[];
			const url = targets[0]?.webSocketDebuggerUrl;
			if (!url) throw new Error("no target listed");
			// The inspector admits only local DevTools origins; Node's WebSocket takes headers as an extension.
			const ws = new WebSocket(url, { headers: { origin: "http://localhost" } } as unknown as string[]);
			await new Promise((opened, failed) => {
				ws.addEventListener("open", opened);
				ws.addEventListener("error", (event) => failed(new Error(String((event as { message?: string }).message))));
				ws.addEventListener("close", (event) => failed(new Error(`closed: ${event.code} ${event.reason}`)));
			});
			return ws;
		} catch (err) {
			problem = (err as Error).message;
		}
	}
	throw new Error(`cannot open a DevTools session at ${inspectorUrl}: ${problem}`);
}

/** Where a sample belongs: the first rule (by original source path) that matches its innermost mapped frame. */
const COMPONENTS: [RegExp, string][] = [
	[/node_modules\/hono\//, "hono (routing, context, middleware chain)"],
	[/node_modules\/@hono\/zod-openapi\//, "@hono/zod-openapi (validator glue)"],
	[/node_modules\/zod\//, "zod (body validation)"],
	[/node_modules\/libphonenumber-js\//, "libphonenumber"],
	// drizzle-orm's own source maps name its files node_modules/src/….
	[/node_modules\/(drizzle-orm|src)\//, "drizzle-orm (building D1 queries)"],
	[/node_modules\/(wrangler|miniflare)\/|bundle-[^/]+\/middleware-/, "wrangler dev wrapper (dev only)"],
	[/node_modules\//, "other libraries"],
	[/src\/platform\/(request-log|log)\.ts/, "src/platform/request-log.ts, log.ts"],
	[/src\/site\/security-headers\.ts/, "src/site/security-headers.ts"],
	[/src\/platform\/(json-body|openapi|national-phone)\.ts/, "src/platform/json-body.ts (jsonGate)"],
	[
		/src\/platform\/create-router\.ts|src\/phone\/|src\/customers\/fields\.ts/,
		"src/phone, create-router.ts, fields.ts (phone rule)",
	],
	[/src\/platform\/render-error\.ts|src\/errors\//, "src/platform/render-error.ts, src/errors"],
	[/src\/abuse\/(guess-limit|budget|client-network)\.ts/, "src/abuse/guess-limit.ts, budget.ts (Worker side)"],
	[/src\/abuse\/(rolling-counter|counter-rules)\.ts/, "src/abuse/rolling-counter.ts (RollingCounter object)"],
	[/src\/otp\//, "src/otp (PhoneChallenge object, callerOf)"],
	[/src\/messaging\//, "src/messaging (SMS send, message log)"],
	[/src\/auth\//, "src/auth (sessions, tokens, password hash)"],
	[/src\/customers\//, "src/customers (route handlers, repository)"],
	[/src\/config\//, "src/config"],
	[/src\//, "src, other"],
	[/bench-(worker|ladder|loops)\.ts$/, "bench Worker's own routing (bench only)"],
];

/** V8's own entries: samples without a JavaScript frame. */
const V8_ENTRIES: Record<string, string> = {
	"(program)": "(program): the runtime inside the isolate, no JS frame",
	"(garbage collector)": "(garbage collector)",
};

/** The Worker's bundle as wrangler dev built it: the script's name in profiles, and its source map. */
export interface Bundle {
	script: string;
	map: SourceMap | null;
	/** The original sources by path, as the map carries them. */
	sources: Map<string, string[]>;
	/** Where the map was read from (wrangler deletes it when dev stops). */
	mapPath: string | null;
}

/**
 * Samples per place in `profile`. A sample belongs to its innermost frame
 * from the Worker's bundle, placed by the source map (`src/…`, a library);
 * when it was sampled inside something that frame called in the runtime (a
 * native function such as `console.log` or an RPC stub, workerd's
 * `node:crypto` or D1 glue), the place says so: `src/auth → getScrypt()`.
 * `(idle)` samples are left out.
 *
 * Samples are counted, not timed: workerd's isolate is sampled only while a
 * request holds it, at a rate the loaded sampler thread does not keep, so a
 * sample's time delta mostly measures the gap before it. Counts are
 * proportional to the time spent in the isolate; their total is not a duration.
 */
export function components(profile: CpuProfile, bundle: Bundle): Map<string, number> {
	const parent = new Map<number, number>();
	const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
	for (const node of profile.nodes as (CpuProfile["nodes"][number] & { children?: number[] })[])
		for (const child of node.children ?? []) parent.set(child, node.id);
	const counts = new Map<string, number>();
	for (const nodeId of profile.samples) {
		const leaf = byId.get(nodeId)?.functionName ?? "";
		if (leaf === "(idle)") continue;
		let place = V8_ENTRIES[leaf];
		if (!place) {
			let callee: string | null = null;
			let where: string | null = null;
			for (let id: number | undefined = nodeId; id !== undefined && where === null; id = parent.get(id)) {
				const frame = byId.get(id);
				if (!frame || frame.functionName === "(root)") break;
				where = placeOf(frame, bundle);
				if (where === null) callee ??= frame.url ? frame.url : `${frame.functionName || "(anonymous)"}()`;
			}
			place = `${where ?? "runtime, no frame of the Worker's bundle"}${callee ? ` → ${callee}` : ""}`;
		}
		counts.set(place, (counts.get(place) ?? 0) + 1);
	}
	return counts;
}

/** The place of a frame of the Worker's bundle (or of wrangler's wrappers around it); null for the runtime's own. */
function placeOf(frame: CpuProfile["nodes"][number]["callFrame"], bundle: Bundle): string | null {
	const { url, lineNumber, columnNumber } = frame;
	if (/__mf_|middleware-/.test(url)) return "wrangler dev wrapper (dev only)";
	if (url !== bundle.script && !url.endsWith(`/${bundle.script}`)) return null;
	const entry = bundle.map?.findEntry(lineNumber, columnNumber) as { originalSource?: string } | undefined;
	const source = entry?.originalSource;
	if (!source) return "bundle glue (esbuild helpers)";
	for (const [pattern, component] of COMPONENTS) if (pattern.test(source)) return component;
	return `other: ${source.split("/").slice(-2).join("/")}`;
}

/** The newest bundle wrangler dev built of `script` under `dir` (the config's directory), with its source map if found. */
export function devBundle(dir: string, script: string): Bundle {
	const tmp = join(dir, ".wrangler", "tmp");
	let newest: { path: string; at: number } | null = null;
	try {
		for (const entry of readdirSync(tmp)) {
			const path = join(tmp, entry, `${script}.map`);
			try {
				const at = statSync(path).mtimeMs;
				if (!newest || at > newest.at) newest = { path, at };
			} catch {
				// Not a dev bundle directory.
			}
		}
	} catch {
		// No bundle yet.
	}
	if (!newest) return { script, map: null, sources: new Map(), mapPath: null };
	const payload = JSON.parse(readFileSync(newest.path, "utf8")) as SourceMapPayload & { sourcesContent?: string[] };
	const sources = new Map(payload.sources.map((path, i) => [path, (payload.sourcesContent?.[i] ?? "").split("\n")]));
	return { script, map: new SourceMap(payload), sources, mapPath: newest.path };
}

/**
 * The app's own lines (src/) that samples stopped on most, with their text:
 * V8 counts a function's samples per line (`positionTicks`), and a call into
 * the runtime that has no frame of its own (an RPC stub, a storage call)
 * counts on the line that made it.
 */
export function hotLines(
	profile: CpuProfile,
	bundle: Bundle,
	top: number,
): { at: string; text: string; samples: number }[] {
	const lines = new Map<string, { at: string; text: string; samples: number }>();
	for (const node of profile.nodes as (CpuProfile["nodes"][number] & {
		positionTicks?: { line: number; ticks: number }[];
	})[]) {
		const { url } = node.callFrame;
		if (url !== bundle.script && !url.endsWith(`/${bundle.script}`)) continue;
		for (const { line, ticks } of node.positionTicks ?? []) {
			// The last mapping on the generated line: its statement, not the indentation before it.
			const entry = bundle.map?.findEntry(line - 1, 10_000) as { originalSource?: string; originalLine?: number };
			const source = entry?.originalSource;
			if (!source || source.includes("node_modules") || entry.originalLine === undefined) continue;
			const at = `${source.replace(/^(\.\.\/)+/, "")}:${entry.originalLine + 1}`;
			const text = bundle.sources.get(source)?.[entry.originalLine]?.trim() ?? "";
			const known = lines.get(at) ?? { at, text, samples: 0 };
			known.samples += ticks;
			lines.set(at, known);
		}
	}
	return [...lines.values()].sort((a, b) => b.samples - a.samples).slice(0, top);
}
