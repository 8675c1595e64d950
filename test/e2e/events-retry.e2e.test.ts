import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeEventReceiver, FAKE_EVENTS_SECRET } from "../support/fake-event-receiver.ts";
import { codeIn } from "../support/fake-twilio.ts";
import { serveFetch } from "../support/serve.ts";
import { postCustomers, type Stack, startStack } from "../support/stack.ts";
import { eventually } from "../support/wait.ts";

/**
 * Retries and the dead-letter queue over `wrangler dev`'s local queues. The
 * shipped wrangler.toml with max_retries = 1 (so one retry, a few seconds
 * after the first attempt, ends in the dead-letter queue) and, to look into
 * that queue, the same Worker consuming it: what it posts from there says
 * `"queue":"edge-verify-events-dlq"` in its log line. About 20 s.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const PHONE = "+14155550143";
const DLQ = "edge-verify-events-dlq";
/** EVENTS_RETRY_FIRST_SECONDS here: the schedule is the shipped one, only shorter. */
const FIRST_RETRY_SECONDS = 3;

/** wrangler.toml with absolute paths, one retry, and a consumer of the dead-letter queue. */
function retryConfig(dir: string): string {
	const shipped = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
	const replaced = shipped
		.replace("#:schema node_modules/", `#:schema ${ROOT}/node_modules/`)
		.replace('main = "src/index.ts"', `main = "${ROOT}/src/index.ts"`)
		.replace('directory = "./public"', `directory = "${ROOT}/public"`)
		.replace('migrations_dir = "migrations"', `migrations_dir = "${ROOT}/migrations"`)
		.replace(/max_retries = \d+/, "max_retries = 1");
	if (!replaced.includes("max_retries = 1") || !replaced.includes(`dead_letter_queue = "${DLQ}"`))
		throw new Error("wrangler.toml no longer has the consumer this test rewrites");
	const path = join(dir, "wrangler.toml");
	writeFileSync(path, `${replaced}\n[[queues.consumers]]\nqueue = "${DLQ}"\nmax_batch_timeout = 1\nmax_retries = 0\n`);
	return path;
}

const receiver = createFakeEventReceiver();
const dir = mkdtempSync(join(tmpdir(), "edge-verify-events-"));
let served: Awaited<ReturnType<typeof serveFetch>> | undefined;
let stack: Stack | undefined;

beforeAll(async () => {
	served = await serveFetch(receiver.fetch);
	stack = await startStack(
		{
			EVENTS_WEBHOOK_URL: `${served.url}/hooks`,
			EVENTS_WEBHOOK_SECRET: FAKE_EVENTS_SECRET,
			EVENTS_RETRY_FIRST_SECONDS: String(FIRST_RETRY_SECONDS),
		},
		{ config: retryConfig(dir) },
	);
});

afterAll(async () => {
	await Promise.all([stack?.stop(), served?.close()]);
	rmSync(dir, { recursive: true, force: true });
});

const post = (path: string, body: unknown) => postCustomers(stack?.dev, path, body);

describe("event retries over wrangler dev", () => {
	it("a 500 is retried after the backoff with the same webhook-id; past max_retries it lands in the dead-letter queue", async () => {
		receiver.failNext({ status: 500 }, 2);
		const sent = await post("send-otp", {
			name: "Ada",
			email: "ada.retry@example.com",
			phone: PHONE,
			password: "correct horse battery",
		});
		expect(sent.status).toBe(200);
		const { registrationId } = (await sent.json()) as { registrationId: string };
		const sms = await eventually(async () => (await stack?.sms(PHONE))?.at(-1), { what: "the SMS" });
		expect((await post("verify-otp", { phone: PHONE, otp: codeIn(sms.body), registrationId })).status).toBe(201);

		const deliveries = await eventually(() => (receiver.deliveries().length >= 3 ? receiver.deliveries() : false), {
			what: () => `three deliveries (have ${receiver.deliveries().length})`,
			timeoutMs: 120_000,
			everyMs: 500,
		});
		expect(deliveries.map((d) => [d.refusal, d.status, d.event?.type])).toEqual([
			[null, 500, "customer.registered"],
			[null, 500, "customer.registered"],
			[null, 204, "customer.registered"],
		]);
		const id = deliveries[0]?.id;
		expect(deliveries.every((d) => d.id === id && d.body === deliveries[0]?.body)).toBe(true);
		// The backoff's first delay is 3 to 3.6 s (jitter, floored); the attempt's timestamp is signed anew each time.
		const gap = Number(deliveries[1]?.timestamp) - Number(deliveries[0]?.timestamp);
		expect(gap).toBeGreaterThanOrEqual(FIRST_RETRY_SECONDS - 1);
		const output = stack?.dev.output() ?? "";
		expect(output).toMatch(
			new RegExp(`"event":"event_retry","eventId":"${id}".*"delaySeconds":${FIRST_RETRY_SECONDS}\\b`),
		);
		expect(output).toMatch(
			new RegExp(`"event":"event_delivered","eventId":"${id}","type":"customer.registered","queue":"${DLQ}"`),
		);
	}, 180_000);
});
