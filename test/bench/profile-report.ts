import { LADDER } from "./parts.ts";

/** Worker CPU ms per request by step name: the median of the rounds, and the rounds' spread (max − min). */
export type Costs = Map<string, { ms: number; spread: number }>;

const at = (costs: Costs, name: string) => costs.get(name)?.ms ?? Number.NaN;
const spread = (costs: Costs, name: string) => ms(costs.get(name)?.spread ?? Number.NaN);
const ms = (n: number) => n.toFixed(2);

/**
 * What a full registration (send-otp + verify-otp, cheap hash) is made of:
 * how many of each bare ingredient it needs, read from the code (src/otp,
 * src/abuse, src/messaging, src/auth), at the marginal cost each has in the
 * bench Worker (its bare route less a bare JSON route).
 */
const REGISTRATION: { what: string; times: number; cost: (c: Costs) => number; where: string }[] = [
	{ what: "HTTP request to a bare route", times: 2, cost: (c) => at(c, "json"), where: "send-otp, verify-otp" },
	{ what: "password hash (cheap)", times: 1, cost: (c) => at(c, "hash") - at(c, "json"), where: "send-otp" },
	{
		what: "round trip to a new object",
		times: 1,
		cost: (c) => at(c, "do-new") - at(c, "json"),
		where: "checkSend on the phone's object",
	},
	{
		what: "round trip to a warm object",
		times: 4,
		cost: (c) => at(c, "do-existing") - at(c, "json"),
		where: "start, verify; the guess counter's take and giveBack",
	},
	{
		what: "durable write in an object (≈ put + setAlarm)",
		times: 5,
		cost: (c) => at(c, "do-write (put + setAlarm)") - at(c, "do-existing"),
		where: "start: code, then message id; verify: consume; counter: take, giveBack",
	},
	{
		what: "D1 read",
		times: 1,
		cost: (c) => at(c, "d1-read") - at(c, "json"),
		where: "findTaken",
	},
	{
		what: "D1 write (or batch)",
		times: 4,
		cost: (c) => at(c, "d1-insert") - at(c, "json"),
		where: "message row (from the object), customer insert, markVerified, session insert",
	},
	{
		what: "outbound fetch (the SMS)",
		times: 1,
		cost: (c) => at(c, "fetch (to the fake Twilio)") - at(c, "json"),
		where: "Twilio Messages API",
	},
];

export function billOf(c: Costs): string[] {
	const send = at(c, "send-otp");
	const verify = at(c, "verify-otp (right code)");
	const total = send + verify;
	const hash = at(c, "hash");
	const rows = REGISTRATION.map((r) => ({ ...r, each: r.cost(c) }));
	const sum = rows.reduce((s, r) => s + r.times * r.each, 0);
	return [
		"## Full registration",
		"",
		`send-otp ${ms(send)} ms + verify-otp ${ms(verify)} ms = ${ms(total)} ms of Worker CPU per registration;`,
		`target (c) allows the hash request + 10 ms = ${ms(hash + 10)} ms (over by ${ms(total - hash - 10)} ms).`,
		"",
		"| ingredient | times | ms each | ms | where |",
		"| --- | ---: | ---: | ---: | --- |",
		...rows.map((r) => `| ${r.what} | ${r.times} | ${ms(r.each)} | ${ms(r.times * r.each)} | ${r.where} |`),
		`| **the bare ingredients** | | | **${ms(sum)}** | |`,
		`| app code around them (the rest) | | | ${ms(total - sum)} | validation, logging, Drizzle, tokens, state |`,
		"",
		"Each ingredient's cost is its bare route less the bare JSON route (one request), measured in the same rounds.",
	];
}

/** The target (a) against the ladder: what each cut would leave. */
export function cut(c: Costs): string[] {
	const guess = at(c, "wrong guess (the real route)");
	const bare = at(c, "do-existing");
	const limit = 1.3 * bare;
	const rung = (name: string) => at(c, `ladder: ${name}`);
	const guessLimit = rung("guess-limit") - rung("error");
	const appParts = rung("error") - rung("post");
	const ratio = (n: number) => `${ms(n)} ms = ${(n / bare).toFixed(2)}× do-existing`;
	return [
		"## Target (a) from the ladder",
		"",
		`Wrong guess ${ratio(guess)}; target (a) is ≤ 1.3× = ${ms(limit)} ms: ${ms(guess - limit)} ms to cut.`,
		"",
		`- without the guess-limit round trip (${ms(guessLimit)} ms): ${ratio(guess - guessLimit)}`,
		`- without any of the app's middleware, validation and error rendering (${ms(appParts)} ms): ${ratio(guess - appParts)}`,
		`- without both: ${ratio(guess - guessLimit - appParts)}`,
		`- the floor of two warm objects in one bare request (do-two): ${ratio(at(c, "do-two (two warm objects)"))}`,
	];
}

export const table = {
	ladder(c: Costs): string[] {
		const steps = ["json (GET, bare Hono)", ...LADDER.map((s) => `ladder: ${s.rung}`), "wrong guess (the real route)"];
		const adds = [
			"a bare GET route answering JSON (the floor of any request)",
			...LADDER.map((s) => s.adds),
			"the phone's object: verify round trip, HMAC, SQLite update + mark, alarm; the real app's router",
		];
		const refs = [
			"do-existing",
			"do-two (two warm objects)",
			"do-write (put + setAlarm)",
			"do-write (put only)",
			"counter (RollingCounter take)",
		];
		return [
			"## The wrong-guess path, one ingredient per rung",
			"",
			"| step | worker CPU ms/req | spread | Δ ms | what the step adds |",
			"| --- | ---: | ---: | ---: | --- |",
			...steps.map((name, i) => {
				const delta = i === 0 ? "" : ms(at(c, name) - at(c, steps[i - 1] as string));
				return `| ${name} | ${ms(at(c, name))} | ${spread(c, name)} | ${delta} | ${adds[i]} |`;
			}),
			...refs.map(
				(name) =>
					`| ${name} | ${ms(at(c, name))} | ${spread(c, name)} | ${ms(at(c, name) - at(c, steps[0] as string))} | vs json |`,
			),
		];
	},

	loops(rows: { label: string; us: number }[]): string[] {
		return [
			"## One call of each ingredient (in a loop, JIT warm)",
			"",
			"| ingredient | µs per call |",
			"| --- | ---: |",
			...rows.map((r) => `| ${r.label} | ${r.us.toFixed(1)} |`),
		];
	},

	profile(
		p: {
			name: string;
			workerCpu: number;
			samples: Map<string, number>;
			lines: { at: string; text: string; samples: number }[];
			count: number;
		},
		sampleUs: number,
	) {
		const total = [...p.samples.values()].reduce((a, b) => a + b, 0);
		const rows = [...p.samples].sort((a, b) => b[1] - a[1]);
		const shown = rows.filter(([, n]) => n / total >= 0.01);
		const rest = rows.slice(shown.length).reduce((s, [, n]) => s + n, 0);
		const share = (n: number) => `${((100 * n) / total).toFixed(1)} %`;
		return [
			`## CPU profile: ${p.name} (${p.count} requests, sampled every ${sampleUs} µs)`,
			"",
			`Worker CPU while profiled: ${ms(p.workerCpu)} ms per request (the profiler's own cost included).`,
			"Shares of the samples taken while the Worker's isolate was busy; a native call counts for itself.",
			"",
			"| where (innermost mapped source of each sample) | samples | share |",
			"| --- | ---: | ---: |",
			...shown.map(([part, n]) => `| ${part} | ${n} | ${share(n)} |`),
			`| everything under 1 % | ${rest} | ${share(rest)} |`,
			"",
			"The app's lines (src/) most samples stopped on; a call into the runtime without a frame of its own",
			"(an RPC stub, a storage or D1 call) counts on the line that made it:",
			"",
			"| line | samples | share | code |",
			"| --- | ---: | ---: | --- |",
			...p.lines.map((l) => `| ${l.at} | ${l.samples} | ${share(l.samples)} | \`${l.text.replace(/\|/g, "\\|")}\` |`),
		];
	},
};
