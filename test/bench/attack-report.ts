import { readFileSync } from "node:fs";
import { type AttackResult, type LegitResult, RETRY_MAX_SECONDS, type Target } from "./attack-traffic.ts";

/** One scenario's outcome, as the report shows it. */
export interface ScenarioRun {
	title: string;
	targets: Target[];
	/** The most attack SMS the scenario allows in the hour, and why. */
	bound: { sms: number; why: string };
	attack: AttackResult;
	legit: LegitResult;
	/** What GET /api/admin/protection and /api/admin/sms-stats answered after the run. */
	operator: string[];
	concurrency: { attack: number; legit: number };
}

/** The settings of the protection layers in force: wrangler.toml's [vars], overridden by the run's. */
export function settingsLine(vars: Record<string, string>): string {
	const toml = readFileSync("wrangler.toml", "utf8").matchAll(/^(\w+) = "(.*)"$/gm);
	const all: Record<string, string> = { ...Object.fromEntries([...toml].map((m) => [m[1], m[2]])), ...vars };
	const keys = Object.keys(all).filter((k) => /^(IP_|SMS_|OTP_MAX_SENDS)/.test(k));
	return keys.map((k) => `${k}=${all[k]}`).join(", ");
}

export function renderScenario(r: ScenarioRun): { lines: string[]; passed: boolean } {
	const { attack, legit } = r;
	const attackSms = [...attack.sent.values()].reduce((a, b) => a + b, 0);
	const attempted = legit.ok + [...legit.failed.values()].reduce((a, b) => a + b, 0);
	const rate = attempted ? legit.ok / attempted : 0;
	const sorted = [...legit.latencies].sort((a, b) => a - b);
	const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
	const requests = [...attack.answers.values()].reduce((a, b) => a + b, 0);
	const smsOk = attackSms <= r.bound.sms;
	const legitOk = rate >= 0.99;
	const lines = [
		`## ${r.title}`,
		"",
		`Attack: ${requests} send-otp to ${r.targets.flatMap((t) => t.prefixes.map((p) => `+${p}…`)).join(", ")} from rotating addresses at concurrency ${r.concurrency.attack}, ${attack.seconds.toFixed(1)} s.`,
		"",
		"| answer | requests |",
		"| --- | ---: |",
		...[...attack.answers].sort().map(([key, n]) => `| ${key} | ${n} |`),
		"",
		`Attack SMS the fake Twilio accepted: ${attackSms} (${[...attack.sent].map(([p, n]) => `+${p}: ${n}`).join(", ")}).`,
		"",
		`Legitimate registrations: ${attempted} over forty US area codes, one address each, at concurrency ${r.concurrency.legit}, ${legit.seconds.toFixed(1)} s.`,
		`Completed (send-otp → code from the SMS → verify-otp 201): ${legit.ok} of ${attempted} = ${(rate * 100).toFixed(1)} %; retries ${legit.retries} (Retry-After ≤ ${RETRY_MAX_SECONDS} s, at most 3).`,
		`Failures by reason: ${legit.failed.size ? [...legit.failed].map(([k, v]) => `${k}: ${v}`).join(", ") : "none"}.`,
		`Registration latency (both requests): p50 ${at(0.5).toFixed(0)} ms, p99 ${at(0.99).toFixed(0)} ms.`,
		"",
		"What the operator sees:",
		"",
		...r.operator.map((l) => `    ${l}`),
		"",
		`- attack SMS ≤ ${r.bound.sms} (${r.bound.why}): ${attackSms}: ${smsOk ? "PASS" : `over by ${attackSms - r.bound.sms}`}`,
		`- legitimate success ≥ 99 %: ${(rate * 100).toFixed(1)} %: ${legitOk ? "PASS" : `under by ${(99 - rate * 100).toFixed(1)} points`}`,
		"",
	];
	return { lines, passed: smsOk && legitOk };
}
