import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createFakeTwilio } from "../support/fake-twilio.ts";
import { serveFetch } from "../support/serve.ts";
import type { WranglerDev } from "../support/wrangler-dev.ts";
import { CHEAP_SCRYPT, startBenchDev } from "./bench-dev.ts";
import { type Client, createClient, newPhone } from "./client.ts";
import { envInt, runBenchmark } from "./harness.ts";
import { components, devBundle, hotLines, profileWhile } from "./inspector.ts";
import { CONCURRENCY, CPU_SOURCE, cpuMs, measure, pool, workerPids } from "./measure.ts";
import { LADDER, LOOPS, type Loop } from "./parts.ts";
import { billOf, type Costs, cut, table } from "./profile-report.ts";

/**
 * `npm run bench:profile`: where the Worker's CPU goes on the wrong-guess
 * path and on a full registration, inside its own workerd (never wrangler's
 * dev proxy), at the cheap scrypt cost. Not part of CI.
 *
 * 1. The wrong-guess ladder: the path rebuilt from the app's parts
 *    (bench-ladder.ts), one ingredient per rung, each rung's CPU measured;
 *    the differences are what each ingredient costs.
 * 2. Single ingredients in a loop (bench-loops.ts): the cost of one call.
 * 3. Full registration: send-otp and verify-otp measured apart, next to the
 *    bare ingredients they are made of (objects, D1, the SMS fetch, the hash).
 * 4. V8 CPU profiles of the Worker's isolate, in a second, young instance
 *    (see profileWhile): which code the samples of each path fall in.
 *
 * Env: PROFILE_REQUESTS (800 per step), PROFILE_ROUNDS (8: the steps of a
 * table are measured in interleaved rounds and each figure is the median of
 * its rounds, so a busy moment of the machine moves none), BENCH_CONCURRENCY (8). Writes bench-results/profile.md
 * and the raw profiles, bench-results/<path>.cpuprofile (with bench-worker.js.map).
 */

const REQUESTS = envInt("PROFILE_REQUESTS", 800);
const ROUNDS = envInt("PROFILE_ROUNDS", 8);
/** Requests per step where each request costs more (loops, registrations). */
const FEWER = Math.max(CONCURRENCY, Math.floor(REQUESTS / 4));
/** Wrong codes per pending registration (OTP_MAX_ATTEMPTS=10: every one stays OTP_INVALID). */
const GUESSES_PER_PHONE = 9;
/** Sampling interval of the CPU profile, µs: shorter ones cost the Worker more than they tell. */
const SAMPLE_US = 1000;

const fake = createFakeTwilio();
const servers: { stop(): Promise<void> }[] = [];
let current: WranglerDev | undefined;

type Request = (i: number) => Promise<unknown>;

async function main(): Promise<void> {
	const twilio = await serveFetch(fake.fetch);
	servers.push({ stop: twilio.close });
	const dev = await start(twilio.url);
	const api = createClient(dev, fake);
	const get = (path: string) => () => api.call("GET", path, undefined, 200);
	const { wrongGuess, phones } = await pendingGuesses(api, REQUESTS);
	const guessBody = { phone: phones[0], otp: "000000" };
	const rung = (name: string) => () =>
		api.call("POST", `/bench/ladder/${name}`, guessBody, ["error", "guess-limit"].includes(name) ? 400 : 200);
	const { customerId } = await api.register("207");

	console.error("1. the wrong-guess ladder");
	const ladder = await rounds(dev, [
		["json (GET, bare Hono)", get("/bench/json")],
		...LADDER.map(({ rung: name }): [string, Request] => [`ladder: ${name}`, rung(name)]),
		["wrong guess (the real route)", wrongGuess],
		["do-existing", get("/bench/do-existing")],
		["do-two (two warm objects)", get("/bench/do-two")],
		["do-write (put + setAlarm)", get("/bench/do-write")],
		["do-write (put only)", get("/bench/do-write?alarm=no")],
		["counter (RollingCounter take)", get("/bench/counter")],
	]);

	console.error("2. single ingredients, in a loop");
	const loops = await rounds(
		dev,
		[
			["loop k=0", get("/bench/loop/uuid?k=0")],
			...Object.entries(LOOPS).map(([loop, { k }]): [string, Request] => [loop, get(`/bench/loop/${loop}?k=${k}`)]),
		],
		FEWER,
	);
	const perCall = Object.entries(LOOPS).map(([loop, { label, k }]) => ({
		label,
		us: (((loops.get(loop as Loop)?.ms ?? Number.NaN) - (loops.get("loop k=0")?.ms ?? Number.NaN)) / k) * 1000,
	}));

	console.error("3. full registration, apart and against its ingredients");
	const sent = Array.from({ length: FEWER + ROUNDS }, () => newPhone("203"));
	let [sends, verifies] = [0, 0];
	const registration = await rounds(
		dev,
		[
			["json", get("/bench/json")],
			["do-existing", get("/bench/do-existing")],
			["do-new", get("/bench/do-new")],
			["do-write (put + setAlarm)", get("/bench/do-write")],
			["d1-read", get(`/bench/d1-read?id=${customerId}`)],
			["d1-insert", get("/bench/d1-insert")],
			["fetch (to the fake Twilio)", get("/bench/fetch")],
			["hash", get("/bench/hash")],
			["send-otp", () => api.sendOtp(sent[sends++] as string)],
			["verify-otp (right code)", () => api.verifyOtp(sent[verifies++] as string)],
		],
		FEWER,
	);
	await dev.stop();

	console.error("4. CPU profiles of the Worker's isolate, in a young instance");
	const profiles = await profileSection(twilio.url);

	const report = [
		"# Where the CPU goes",
		"",
		`${new Date().toISOString()}; ${CHEAP_SCRYPT.label}; concurrency ${CONCURRENCY}; ${CPU_SOURCE}.`,
		"Worker CPU: the Worker's own workerd process (its objects and the local D1 simulator included), never",
		`wrangler's dev proxy. Steps: ${REQUESTS} requests (loops and registrations ${FEWER}) in ${ROUNDS} interleaved rounds;`,
		"each figure is the median of its rounds, and spread the max − min of them.",
		"",
		...table.ladder(ladder),
		"",
		...cut(ladder),
		"",
		...table.loops(perCall),
		"",
		...billOf(registration),
		"",
		...profiles.flatMap((p) => [...table.profile(p, SAMPLE_US), ""]),
	].join("\n");
	console.log(`\n${report}`);
	mkdirSync("bench-results", { recursive: true });
	writeFileSync("bench-results/profile.md", `${report}\n`);
	console.error("written to bench-results/profile.md");
}

async function start(twilioUrl: string): Promise<WranglerDev> {
	console.error(`== ${CHEAP_SCRYPT.label}: starting wrangler dev`);
	const dev = await startBenchDev(CHEAP_SCRYPT, twilioUrl);
	servers.push(dev);
	current = dev;
	return dev;
}

/** Pending registrations for `count` wrong guesses, made first (as in run.ts), and the guess itself. */
async function pendingGuesses(api: Client, count: number) {
	await api.call("POST", "/bench/setup", undefined, 200);
	const phones = Array.from({ length: Math.ceil(count / GUESSES_PER_PHONE) + 1 }, () => newPhone("202"));
	await pool(phones.length, (i) => api.sendOtp(phones[i] as string));
	let guessed = 0;
	const wrongGuess = () => {
		const n = guessed++;
		const phone = phones[n % phones.length] as string;
		const otp = String((Number(api.latestCode(phone)) + 1 + Math.floor(n / phones.length)) % 1_000_000);
		return api.call("POST", "/api/customers/verify-otp", { phone, otp: otp.padStart(6, "0") }, 400);
	};
	return { wrongGuess, phones };
}

/** A wrong guess and a full registration, each under the profiler, in a fresh instance. */
async function profileSection(twilioUrl: string) {
	const dev = await start(twilioUrl);
	const api = createClient(dev, fake);
	const { wrongGuess } = await pendingGuesses(api, REQUESTS + 10);
	for (let i = 0; i < 10; i++) await wrongGuess();
	for (let i = 0; i < 5; i++) await api.register("208");
	const bundle = devBundle("test/bench", "bench-worker.js");
	mkdirSync("bench-results", { recursive: true });
	if (bundle.mapPath) copyFileSync(bundle.mapPath, "bench-results/bench-worker.js.map");
	else console.error("   no source map found: the bundle's frames are not placed in their files");
	const profiled = async (name: string, count: number, request: Request) => {
		const pids = workerPids(dev);
		const before = cpuMs(pids);
		const profile = await profileWhile(dev.inspectorUrl, () => pool(count, request), SAMPLE_US);
		const workerCpu = (cpuMs(pids) - before) / count;
		// For DevTools' Performance panel (load profile), or any .cpuprofile viewer.
		writeFileSync(`bench-results/${name.replace(/ /g, "-")}.cpuprofile`, JSON.stringify(profile));
		return { name, workerCpu, samples: components(profile, bundle), lines: hotLines(profile, bundle, 12), count };
	};
	const profiles = [
		await profiled("wrong guess", REQUESTS, wrongGuess),
		await profiled("full registration", FEWER, () => api.register("208")),
	];
	await dev.stop();
	return profiles;
}

/**
 * Every step `count` times, in `ROUNDS` interleaved rounds, after 10 warm-up
 * calls each (the real routes excepted: their calls are counted out): the
 * Worker CPU per request of each step, the median of its rounds (a burst of
 * another process on the machine lands in one round, not in the figure).
 */
async function rounds(dev: WranglerDev, steps: [string, Request][], count = REQUESTS): Promise<Costs> {
	const warm = steps.filter(([name]) => !/send-otp|verify-otp|wrong guess/.test(name));
	for (const [, request] of warm) for (let i = 0; i < 10; i++) await request(i);
	const perRound = new Map<string, number[]>();
	for (let round = 0; round < ROUNDS; round++)
		for (const [name, request] of steps) {
			const result = await measure(dev, name, Math.ceil(count / ROUNDS), request);
			perRound.set(name, [...(perRound.get(name) ?? []), result.workerCpuMs]);
		}
	const costs: Costs = new Map();
	for (const [name, values] of perRound) {
		const sorted = values.sort((a, b) => a - b);
		const mid = sorted.length / 2;
		const median =
			sorted.length % 2
				? (sorted[Math.floor(mid)] as number)
				: ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
		costs.set(name, { ms: median, spread: (sorted.at(-1) as number) - (sorted[0] as number) });
	}
	return costs;
}

runBenchmark(main, servers, () => current);
