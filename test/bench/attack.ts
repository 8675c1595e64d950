import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createFakeTwilio, FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN, FAKE_FROM } from "../support/fake-twilio.ts";
import { serveFetch } from "../support/serve.ts";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.ts";
import { renderScenario, type ScenarioRun, settingsLine } from "./attack-report.ts";
import { runAttack, runLegit, type Target } from "./attack-traffic.ts";
import { envInt, runBenchmark } from "./harness.ts";

/**
 * `npm run bench:attack`: two simulated SMS-pumping attacks against `wrangler
 * dev` (the real Worker, the shipped defaults of wrangler.toml) and a local
 * fake Twilio, each beside 200 legitimate registrations on +1 numbers over
 * forty US area codes. Each scenario runs on a fresh instance. Reports the
 * SMS that reached attack numbers, the legitimate success rate and what the
 * operator sees. A report, not a test: a missed target is printed, never
 * fatal; a broken run exits 1.
 *
 * Env: ATTACK_REQUESTS (3000), ATTACK_CONCURRENCY (16), LEGIT_REGISTRATIONS (200).
 */

const ATTACK_REQUESTS = envInt("ATTACK_REQUESTS", 3000);
const ATTACK_CONCURRENCY = envInt("ATTACK_CONCURRENCY", 16);
const LEGIT_REGISTRATIONS = envInt("LEGIT_REGISTRATIONS", 200);
// Two at a time, so the legitimate stream lasts about as long as the attack.
const LEGIT_CONCURRENCY = 2;
/** Hard stop for either stream of a scenario, whatever the Worker does. */
const DEADLINE_MS = 10 * 60_000;
const ADMIN_TOKEN = "attack-bench-admin-token-0123456789abcdef";

/** Premium-looking ranges on three calling codes the legitimate users (+1) do not share. */
const OTHER_CODES: Target[] = [
	{ cc: "44", prefixes: ["44700", "44707"], digits: 7 },
	{ cc: "371", prefixes: ["37181", "37190"], digits: 6 },
	{ cc: "882", prefixes: ["88210", "88216"], digits: 8 },
];
/** Classic pumping targets that share +1 with the legitimate users: Caribbean NANP area codes. */
const SAME_CODE: Target[] = [{ cc: "1", prefixes: ["1268", "1876", "1809", "1649", "1284", "1473"], digits: 7 }];

const fake = createFakeTwilio();
const servers: { stop(): Promise<void> }[] = [];
let current: WranglerDev | undefined;

async function main(): Promise<void> {
	const started = performance.now();
	const twilio = await serveFetch(fake.fetch);
	servers.push({ stop: twilio.close });
	const vars: Record<string, string> = {
		ENVIRONMENT: "development",
		OTP_SECRET: "attack-bench-otp-secret-0123456789-abcdefgh",
		PASSWORD_SCRYPT_N: "1024",
		PASSWORD_SCRYPT_R: "8",
		PASSWORD_SCRYPT_P: "1",
		TWILIO_API_BASE_URL: twilio.url,
		TWILIO_ACCOUNT_SID: FAKE_ACCOUNT_SID,
		TWILIO_AUTH_TOKEN: FAKE_AUTH_TOKEN,
		TWILIO_PHONE_NUMBER: FAKE_FROM,
		ADMIN_API_TOKEN: ADMIN_TOKEN,
	};
	const srcBefore = latestChange("src");
	const budget = (name: string, fallback: number) =>
		Number(settingsLine(vars).match(new RegExp(`${name}=(\\d+)`))?.[1] ?? fallback);
	const reserve = budget("SMS_BUDGET_RESERVE_PERCENT", 20) / 100;
	const share = (n: number) => Math.floor(n * (1 - reserve));
	const runs: ScenarioRun[] = [];
	runs.push(
		await scenario(vars, "Attack on other calling codes (+44, +371, +882)", OTHER_CODES, {
			sms: Math.min(
				share(budget("SMS_BUDGET_PER_HOUR", 1000)),
				share(budget("SMS_BUDGET_PER_COUNTRY_PER_HOUR", 200)) * 3,
			),
			why: "the budgets a registration may use: global, and per calling code × 3 codes",
		}),
	);
	runs.push(
		await scenario(
			vars,
			"Attack on the legitimate users' own calling code (+1 268, 876, 809, 649, 284, 473)",
			SAME_CODE,
			{
				sms: 150,
				why: "the issue's target for an attack sharing the users' calling code",
			},
		),
	);
	const reloaded = latestChange("src") > srcBefore;
	const seconds = (performance.now() - started) / 1000;
	const header = [
		"# SMS-pumping attack benchmark",
		"",
		`${new Date().toISOString()}, Node ${process.version}, wrangler dev (wrangler.toml) + local fake Twilio, ${seconds.toFixed(0)} s in all.`,
		`Settings: ${settingsLine(vars)}.`,
		...(reloaded ? ["", "**src/ changed during the run, so wrangler dev reloaded: figures may be disturbed.**"] : []),
		"",
	];
	const rendered = runs.map(renderScenario);
	const report = [...header, ...rendered.flatMap((r) => r.lines)].join("\n");
	console.log(`\n${report}`);
	mkdirSync("bench-results", { recursive: true });
	writeFileSync("bench-results/attack.md", report);
	console.error(
		`written to bench-results/attack.md; ${rendered.every((r) => r.passed) ? "every target met" : "a target was missed"}`,
	);
}

async function scenario(vars: Record<string, string>, title: string, targets: Target[], bound: ScenarioRun["bound"]) {
	console.error(`== ${title}: starting wrangler dev`);
	fake.messages.length = 0;
	current = await startWranglerDev({ config: "wrangler.toml", logLevel: "warn", vars });
	servers.push(current);
	const dev = current;
	const deadline = Date.now() + DEADLINE_MS;
	const messages = () => fake.messages;
	const [attack, legit] = await Promise.all([
		runAttack(dev, targets, ATTACK_REQUESTS, ATTACK_CONCURRENCY, deadline, messages),
		runLegit(dev, LEGIT_REGISTRATIONS, LEGIT_CONCURRENCY, deadline, messages),
	]);
	const operator = await operatorView(dev);
	await dev.stop();
	return {
		title,
		targets,
		bound,
		attack,
		legit,
		operator,
		concurrency: { attack: ATTACK_CONCURRENCY, legit: LEGIT_CONCURRENCY },
	};
}

/** What an operator would read after the attack: the protection list and the hour's SMS stats. */
async function operatorView(dev: WranglerDev): Promise<string[]> {
	const get = async (path: string) => {
		const res = await fetch(dev.url + path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
		return res.ok ? ((await res.json()) as Record<string, unknown>) : { status: res.status };
	};
	const protection = await get("/api/admin/protection");
	const stats = await get("/api/admin/sms-stats");
	const hour = (stats.hour ?? stats) as Record<string, unknown>;
	const refusals = (stats.refusals as Record<string, unknown> | undefined)?.hour;
	return [
		`GET /api/admin/protection: ${JSON.stringify(protection).slice(0, 1500)}`,
		`GET /api/admin/sms-stats (hour): ${JSON.stringify({ sends: hour.sends, verificationRate: hour.verificationRate, refusals })}`,
	];
}

/** The newest modification time under `dir`, in ms (a file deleted meanwhile counts as now). */
function latestChange(dir: string): number {
	const files = readdirSync(dir, { recursive: true, encoding: "utf8" });
	return Math.max(0, ...files.map((f) => statSync(`${dir}/${f}`, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()));
}

runBenchmark(main, servers, () => current);
