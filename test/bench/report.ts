import { cpus } from "node:os";
import { CONCURRENCY, CPU_SOURCE, type Result } from "./measure.ts";

/** The figures of one instance: its hash cost and every scenario. */
export interface Run {
	label: string;
	results: Result[];
}

/** One target, judged on the Worker's own CPU (wrangler's dev proxy left out). */
interface Target {
	name: string;
	/** What is compared, in words: `wrong guess / do-existing`. */
	measures: string;
	/** The measured ratio or difference. */
	value: number;
	limit: number;
	unit: "×" | "ms";
	/** The figures it is made of. */
	from: string;
}

/**
 * The three targets, then those that guard against regressions
 * ((d), (e) only where the hash has its production cost), and (b) against
 * the baseline it had before this one.
 */
export function targets(results: Result[]): Target[] {
	const cpu = (name: string) => results.find((r) => r.scenario === name)?.workerCpuMs ?? Number.NaN;
	const ms = (n: number) => n.toFixed(2);
	const ratio = (name: string, measures: string, left: number, right: number, limit: number): Target => ({
		name,
		measures,
		value: left / right,
		limit,
		unit: "×",
		from: `${ms(left)} / ${ms(right)} ms`,
	});
	const [guess, bare] = [cpu("wrong guess"), cpu("do-existing")];
	const [send, hash, baseline] = [cpu("send-otp"), cpu("hash"), cpu("do-new + d1-read")];
	const registration = cpu("full registration");
	const list = [
		ratio("(a) wrong guess", "wrong guess / do-existing", guess, bare, 1.3),
		ratio("(b) send-otp without the hash", "(send-otp − hash) / (new object + D1 read)", send - hash, baseline, 1.5),
		{
			name: "(c) full registration",
			measures: "full registration − hash",
			value: registration - hash,
			limit: 10,
			unit: "ms",
			from: `${ms(registration)} − ${ms(hash)} ms`,
		} satisfies Target,
		ratio("(f) /me", "me / d1-read", cpu("me"), cpu("d1-read"), 1.5),
		// The baseline (b) had before: two bare requests, so the request's own cost counted twice.
		ratio(
			"(b′) as (b), earlier baseline",
			"(send-otp − hash) / (do-new + d1-read, two requests)",
			send - hash,
			cpu("do-new") + cpu("d1-read"),
			1.5,
		),
	];
	// Only meaningful where the hash has its production cost.
	if (hash > 50)
		list.push(
			ratio("(d) refused send-otp", "send-otp refused / hash", cpu("send-otp refused (hourly cap)"), hash, 0.1),
			ratio("(e) locked login", "login refused / hash", cpu("login refused (account locked)"), hash, 0.1),
		);
	return list;
}

const shown = (t: Target) => (t.unit === "×" ? `${t.value.toFixed(2)}×` : `${t.value.toFixed(2)} ms`);
const limit = (t: Target) => (t.unit === "×" ? `≤ ${t.limit.toFixed(2)}×` : `≤ ${t.limit} ms`);
const verdict = (t: Target) => (t.value <= t.limit ? "met" : "not met");

/** The whole report, in markdown: each run's scenarios and targets, then the targets side by side. */
export function render(runs: Run[], rounds: number): string {
	const lines = [
		"# Benchmark",
		"",
		`${new Date().toISOString()}, ${cpus().length} CPUs, Node ${process.version}, concurrency ${CONCURRENCY},`,
		`every scenario in ${rounds} interleaved rounds (a busy moment of the machine lands on all of them alike).`,
		`wrangler dev --log-level warn; CPU per request of its workerd processes (${CPU_SOURCE}).`,
		'"worker CPU" is the Worker\'s own workerd (its Durable Objects and local D1 included), without',
		"wrangler's dev-only proxy workerd (about 1–2 ms per request); every target is judged on it.",
		"A full registration is two requests (send-otp, verify-otp); its figures are per registration.",
		'"do-new + d1-read" is target (b)\'s baseline: a new object and one D1 read in one request.',
		"At the production cost, (b) and (c) subtract figures of ~200 ms measured in different windows,",
		"whose spread is as large as the difference: read (b) and (c) from the cheap run.",
	];
	for (const { label, results } of runs) {
		lines.push("", `## ${label}`, "");
		lines.push("| scenario | requests | req/s | p50 ms | p99 ms | CPU ms/req | worker CPU ms/req |");
		lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
		for (const r of results) {
			lines.push(
				`| ${r.scenario} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.cpuMs.toFixed(2)} | ${r.workerCpuMs.toFixed(2)} |`,
			);
		}
		lines.push(
			"",
			"| target | measures | worker CPU | measured | target | |",
			"| --- | --- | ---: | ---: | ---: | --- |",
		);
		for (const t of targets(results))
			lines.push(`| ${t.name} | ${t.measures} | ${t.from} | ${shown(t)} | ${limit(t)} | ${verdict(t)} |`);
	}
	lines.push("", ...summary(runs));
	return `${lines.join("\n")}\n`;
}

/** The targets (a)–(c) of every run in one table; the verdict is the cheap run's (see the note above). */
export function summary(runs: Run[]): string[] {
	const judged = runs.at(-1) as Run;
	const byRun = runs.map((run) => targets(run.results).slice(0, 3));
	const header = runs.map((run) => run.label.replace(/ \(.*\)$/, ""));
	const lines = [
		`## Targets (worker CPU; verdict from the ${header.at(-1)} run)`,
		"",
		`| target | measures | ${header.join(" | ")} | target | |`,
		`| --- | --- | ${header.map(() => "---:").join(" | ")} | ---: | --- |`,
	];
	for (const [i, t] of targets(judged.results).slice(0, 3).entries()) {
		const values = byRun.map((list) => shown(list[i] as Target));
		lines.push(`| ${t.name} | ${t.measures} | ${values.join(" | ")} | ${limit(t)} | ${verdict(t)} |`);
	}
	if (runs.length > 1)
		lines.push(
			"",
			"At the production cost, (b) and (c) subtract two ~200 ms figures and are noise: read the cheap run.",
		);
	return lines;
}
