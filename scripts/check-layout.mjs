#!/usr/bin/env node
// The layout's rules, checked on every test run:
// - no import cycle between the folders of src/ (a folder is a room);
// - no source file (src/, test/) over 300 lines.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const MAX_LINES = 300;

function filesUnder(dir) {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return filesUnder(path);
		return /\.(ts|js|mjs)$/.test(name) ? [path] : [];
	});
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function resolveImport(from, spec) {
	const base = resolve(dirname(from), spec);
	for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
		try {
			if (statSync(candidate).isFile()) return candidate;
		} catch {}
	}
	return null;
}

const problems = [];
const src = join(root, "src");
const edges = new Map();
const roomEdges = new Map();
const addEdge = (graph, from, to, example) => {
	if (to === from) return;
	if (!graph.has(from)) graph.set(from, new Map());
	if (!graph.get(from).has(to)) graph.get(from).set(to, example);
};
for (const file of filesUnder(src)) {
	const text = readFileSync(file, "utf8");
	const from = relative(src, dirname(file)) || ".";
	for (const m of text.matchAll(IMPORT)) {
		const spec = m[1] ?? m[2];
		if (!spec.startsWith(".")) continue;
		const target = resolveImport(file, spec);
		if (!target) {
			problems.push(`${relative(root, file)}: cannot resolve ${spec}`);
			continue;
		}
		const to = relative(src, dirname(target)) || ".";
		const example = `${relative(root, file)} -> ${relative(root, target)}`;
		addEdge(edges, from, to, example);
		addEdge(roomEdges, from.split("/")[0], to.split("/")[0], example);
	}
}

// Tarjan's strongly connected components: any component of two or more folders is a cycle.
// Checked twice: between rooms (the top folders of src/, each with its subfolders) and between all folders.
function cycles(edges, what) {
	let index = 0;
	const stack = [];
	const state = new Map();
	function visit(v) {
		state.set(v, { index, low: index, onStack: true });
		index++;
		stack.push(v);
		for (const w of edges.get(v)?.keys() ?? []) {
			if (!state.has(w)) {
				visit(w);
				state.get(v).low = Math.min(state.get(v).low, state.get(w).low);
			} else if (state.get(w).onStack) state.get(v).low = Math.min(state.get(v).low, state.get(w).index);
		}
		if (state.get(v).low === state.get(v).index) {
			const component = [];
			let w;
			do {
				w = stack.pop();
				state.get(w).onStack = false;
				component.push(w);
			} while (w !== v);
			if (component.length > 1) {
				const inside = new Set(component);
				const ties = component.flatMap((a) =>
					[...(edges.get(a) ?? [])].filter(([b]) => inside.has(b)).map(([, example]) => `    ${example}`),
				);
				problems.push(`import cycle between ${what} ${component.sort().join(", ")}:\n${ties.join("\n")}`);
			}
		}
	}
	for (const v of edges.keys()) if (!state.has(v)) visit(v);
}
cycles(roomEdges, "rooms");
cycles(edges, "folders");

for (const dir of ["src", "test", "scripts"]) {
	for (const file of filesUnder(join(root, dir))) {
		const lines = readFileSync(file, "utf8").split("\n").length - 1;
		if (lines > MAX_LINES) problems.push(`${relative(root, file)}: ${lines} lines (at most ${MAX_LINES})`);
	}
}

if (problems.length) {
	console.error(`layout: ${problems.length} problem(s)\n${problems.join("\n")}`);
	process.exit(1);
}
console.log("layout: no folder import cycles, no file over 300 lines");
