import { parsePhoneNumberFromString } from "libphonenumber-js";
import { codeIn, type FakeMessage } from "../support/fake-twilio.ts";
import type { WranglerDev } from "../support/wrangler-dev.ts";

/** Where an attack sends: calling-code prefixes followed by random digits, kept only when valid. */
export interface Target {
	cc: string;
	prefixes: string[];
	digits: number;
}

/** What one attack did: the answers by status and code, and the SMS that reached its numbers. */
export interface AttackResult {
	answers: Map<string, number>;
	sent: Map<string, number>;
	seconds: number;
}

export interface LegitResult {
	ok: number;
	failed: Map<string, number>;
	retries: number;
	sms: number;
	latencies: number[];
	seconds: number;
}

/** A real user waits a few seconds and tries again, not a minute or an hour. */
export const RETRY_MAX_SECONDS = 5;
const RETRIES = 3;

/**
 * Forty US area codes, spread over the country: the legitimate users. None
 * of them is an area code the attacks use.
 */
const US_AREAS = [
	"201",
	"202",
	"205",
	"206",
	"212",
	"213",
	"214",
	"215",
	"216",
	"217",
	"224",
	"225",
	"239",
	"248",
	"251",
	"253",
	"267",
	"301",
	"303",
	"305",
	"312",
	"313",
	"314",
	"317",
	"404",
	"406",
	"408",
	"410",
	"412",
	"414",
	"415",
	"501",
	"503",
	"504",
	"512",
	"602",
	"612",
	"617",
	"702",
	"919",
];

/** A valid number: a prefix and random digits, drawn again until libphonenumber calls it valid. */
export function validNumber(prefix: string, digits: number): string {
	for (let i = 0; i < 1000; i++) {
		const phone = `+${prefix}${randomDigits(digits)}`;
		if (parsePhoneNumberFromString(phone)?.isValid()) return phone;
	}
	throw new Error(`no valid number found under +${prefix}`);
}

/** Sends `count` send-otp to the targets at `width` at a time, from rotating addresses; counts what the fake texted. */
export async function runAttack(
	dev: WranglerDev,
	targets: Target[],
	count: number,
	width: number,
	deadline: number,
	messages: () => FakeMessage[],
): Promise<AttackResult> {
	const answers = new Map<string, number>();
	const start = performance.now();
	await pool(count, width, deadline, async () => {
		const target = pick(targets);
		const phone = validNumber(pick(target.prefixes), target.digits);
		const body = { name: "Pump", email: `p${randomDigits(12)}@example.net`, phone, password: "pumping-password" };
		const res = await post(dev, "/api/customers/send-otp", body, rotatingAddress());
		const key = res.status === 200 ? "200" : `${res.status} ${res.code}`.trim();
		answers.set(key, (answers.get(key) ?? 0) + 1);
	});
	const sent = new Map<string, number>();
	for (const t of targets)
		for (const prefix of t.prefixes) sent.set(prefix, messages().filter((m) => m.to.startsWith(`+${prefix}`)).length);
	return { answers, sent, seconds: (performance.now() - start) / 1000 };
}

/**
 * A botnet or a proxy pool: IPv4 addresses from many /24s, and IPv6 hosts in
 * many /48s (each a network of its own for the per-address limits).
 */
function rotatingAddress(): string {
	if (Math.random() < 0.6) return `${pick(["203.0", "192.0", "100.64", "198.18"])}.${rand(256)}.${1 + rand(254)}`;
	const hex = () => rand(0xffff).toString(16);
	return `2001:db8:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}`;
}

/** Registrations on numbers over forty US area codes, each from an address of its own, through verify-otp. */
export async function runLegit(
	dev: WranglerDev,
	count: number,
	width: number,
	deadline: number,
	messages: () => FakeMessage[],
): Promise<LegitResult> {
	const result: LegitResult = { ok: 0, failed: new Map(), retries: 0, sms: 0, latencies: [], seconds: 0 };
	const fail = (why: string) => result.failed.set(why, (result.failed.get(why) ?? 0) + 1);
	const start = performance.now();
	await pool(count, width, deadline, async (i) => {
		const phone = validNumber(`1${US_AREAS[i % US_AREAS.length]}`, 7);
		const address = i < 254 ? `198.51.100.${i + 1}` : `2001:db8:100:${i.toString(16)}::1`;
		const t = performance.now();
		const body = { name: "Real User", email: `user${i}@example.com`, phone, password: "correct horse battery" };
		let sent = await post(dev, "/api/customers/send-otp", body, address);
		for (let n = 0; n < RETRIES && (sent.status === 429 || sent.status === 503); n++) {
			if (sent.retryAfter > RETRY_MAX_SECONDS) break;
			result.retries++;
			await sleep(sent.retryAfter * 1000);
			sent = await post(dev, "/api/customers/send-otp", body, address);
		}
		if (sent.status !== 200) return fail(`send-otp ${sent.status} ${sent.code}`);
		const message = messages().findLast((m) => m.to === phone);
		if (!message) return fail("send-otp 200 but no SMS");
		result.sms++;
		const verified = await post(dev, "/api/customers/verify-otp", { phone, otp: codeIn(message.body) }, address);
		if (verified.status !== 201) return fail(`verify-otp ${verified.status} ${verified.code}`);
		result.ok++;
		result.latencies.push(performance.now() - t);
	});
	result.seconds = (performance.now() - start) / 1000;
	return result;
}

/** POSTs JSON as a client behind Cloudflare would arrive. A network error breaks the run. */
export async function post(dev: WranglerDev, path: string, body: unknown, ip: string) {
	const res = await fetch(dev.url + path, {
		method: "POST",
		headers: { "content-type": "application/json", "cf-connecting-ip": ip },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(30_000),
	});
	const text = await res.text();
	let code = "";
	try {
		code = (JSON.parse(text) as { code?: string }).code ?? "";
	} catch {
		// Not JSON: reported by status alone.
	}
	return { status: res.status, code, retryAfter: Number(res.headers.get("retry-after") ?? Number.POSITIVE_INFINITY) };
}

async function pool(count: number, width: number, deadline: number, task: (i: number) => Promise<unknown>) {
	let next = 0;
	const worker = async () => {
		while (next < count && Date.now() < deadline) await task(next++);
	};
	await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}

const rand = (n: number) => Math.floor(Math.random() * n);
export const pick = <T>(items: readonly T[]): T => items[rand(items.length)] as T;
const randomDigits = (n: number) => Array.from({ length: n }, () => rand(10)).join("");
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
