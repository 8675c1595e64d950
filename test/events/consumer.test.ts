import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { consumeEvents } from "../../src/events/consumer";
import type { QueuedEvent } from "../../src/events/types";
import worker from "../../src/index";
import { EVENT_VARS, EVENTS_URL } from "../support/events";
import { createFakeEventReceiver, type FakeEventReceiver } from "../support/fake-event-receiver";
import { captureLogs } from "../support/log-capture";

// The EVENTS queue's consumer, called as Queues calls it, with batches built by cloudflare:test
// (the pool runs no retry schedule or dead-letter queue: those are the platform's, see wrangler.toml).

const QUEUE = "edge-verify-events";
const bindings = { ...env, ...EVENT_VARS, EVENTS_WEBHOOK_TIMEOUT_MS: "1000" } as unknown as Env;
let receiver: FakeEventReceiver;
let now: number;

beforeEach(() => {
	now = Date.parse("2026-12-01T10:00:00Z");
	receiver = createFakeEventReceiver({ clock: () => now });
	vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
		const request = new Request(input, init);
		if (request.url !== EVENTS_URL) return new Response("unexpected", { status: 599 });
		return receiver.fetch(request);
	});
});
afterEach(() => vi.restoreAllMocks());

let counter = 0;
function queued(type: QueuedEvent["type"] = "customer.deleted"): QueuedEvent {
	counter++;
	return { id: `msg_${counter}abc`, type, timestamp: "2026-12-01T09:59:58.123Z", data: { customerId: counter } };
}

/**
 * Runs one delivery of `bodies` (attempt number `attempts`) through the consumer: the acks and
 * retries as getQueueResult reports them, with the delays the consumer asked for (the plugin's
 * QueueMessage drops retry()'s options, so each message's retry is watched).
 */
async function consume(bodies: unknown[], attempts = 1, env: Env = bindings) {
	const batch = createMessageBatch(
		QUEUE,
		bodies.map((body, i) => ({ id: `queue-msg-${i}`, timestamp: new Date(now), attempts, body })),
	);
	const delays = new Map<string, number | undefined>();
	for (const message of batch.messages) {
		const retry = message.retry.bind(message);
		message.retry = (options?: QueueRetryOptions) => {
			delays.set(message.id, options?.delaySeconds);
			retry(options);
		};
	}
	const ctx = createExecutionContext();
	await consumeEvents(batch, env, { clock: () => now, random: () => 0 });
	const result = await getQueueResult(batch, ctx);
	const retryMessages = result.retryMessages.map(({ msgId }) => ({ msgId, delaySeconds: delays.get(msgId) }));
	return { ...result, retryMessages };
}

describe("the events consumer", () => {
	it("posts each event signed, with the event as body, and acks it on 2xx", async () => {
		const events = [queued(), queued("customer.registered")];
		const result = await consume(events);
		expect(result.explicitAcks.sort()).toEqual(["queue-msg-0", "queue-msg-1"]);
		expect(result.retryMessages).toEqual([]);
		const deliveries = receiver.deliveries();
		expect(deliveries.map((d) => [d.id, d.refusal, d.timestamp])).toEqual(
			expect.arrayContaining(events.map((e) => [e.id, null, String(now / 1000)])),
		);
		for (const event of events) {
			const delivery = deliveries.find((d) => d.id === event.id);
			expect(delivery?.body).toBe(JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data }));
		}
	});

	it.each([
		[500, 1, 60],
		[502, 2, 180],
		[503, 3, 540],
		[404, 1, 60],
		[400, 4, 1620],
		[301, 1, 60],
	])(
		"%i on attempt %i: retried after %i s (only a 2xx delivers; redirects are not followed)",
		async (status, attempts, delay) => {
			receiver.failNext({ status, headers: status === 301 ? { location: "https://elsewhere.example/" } : undefined });
			const result = await consume([queued()], attempts);
			expect(result.explicitAcks).toEqual([]);
			expect(result.retryMessages).toEqual([{ msgId: "queue-msg-0", delaySeconds: delay }]);
			expect(receiver.deliveries()).toHaveLength(1);
		},
	);

	it("429 with Retry-After: waits what the receiver asked, when that is longer than the backoff", async () => {
		receiver.failNext({ status: 429, headers: { "retry-after": "900" } });
		expect((await consume([queued()])).retryMessages).toEqual([{ msgId: "queue-msg-0", delaySeconds: 900 }]);
	});

	it("a dropped connection and a receiver past EVENTS_WEBHOOK_TIMEOUT_MS are retried", async () => {
		receiver.failNext("network-error");
		expect((await consume([queued()], 2)).retryMessages).toEqual([{ msgId: "queue-msg-0", delaySeconds: 180 }]);
		receiver.failNext("hang");
		const started = Date.now();
		expect((await consume([queued()], 1)).retryMessages).toEqual([{ msgId: "queue-msg-0", delaySeconds: 60 }]);
		expect(Date.now() - started).toBeLessThan(5_000);
	});

	it("keeps webhook-id and body across retries; the timestamp and signature are the attempt's", async () => {
		const event = queued("session.reuse_detected");
		receiver.failNext({ status: 500 }, 2);
		const results = [];
		for (const attempts of [1, 2, 3]) {
			results.push(await consume([event], attempts));
			now += 60_000 * attempts;
		}
		expect(results.map((r) => r.retryMessages.length)).toEqual([1, 1, 0]);
		expect(results[2]?.explicitAcks).toEqual(["queue-msg-0"]);
		const deliveries = receiver.deliveries();
		expect(deliveries.map((d) => d.id)).toEqual([event.id, event.id, event.id]);
		expect(deliveries.every((d) => d.refusal === null && d.body === deliveries[0]?.body)).toBe(true);
		expect(new Set(deliveries.map((d) => d.timestamp)).size).toBe(3);
	});

	it("never acks a failure, however many attempts were made: Queues moves it to the dead-letter queue", async () => {
		receiver.failNext({ status: 503 });
		const result = await consume([queued()], 9);
		expect(result.explicitAcks).toEqual([]);
		expect(result.retryMessages).toEqual([{ msgId: "queue-msg-0", delaySeconds: 43_200 }]);
	});

	it("410 Gone: the receiver wants no more; acked without retry, and an error in the log", async () => {
		const logs = captureLogs();
		receiver.failNext({ status: 410 });
		const result = await consume([queued()]);
		expect(result.explicitAcks).toEqual(["queue-msg-0"]);
		expect(result.retryMessages).toEqual([]);
		expect(logs.events("event_refused")).toEqual([expect.objectContaining({ level: "error", status: 410 })]);
	});

	it("a body that is no event is acked unsent; with events switched off, nothing is posted", async () => {
		const malformed = await consume([{ hello: "world" }, "text", { ...queued(), id: "msg.with.dots" }]);
		expect(malformed.explicitAcks).toHaveLength(3);
		const off = { ...bindings, EVENTS_WEBHOOK_URL: "" } as Env;
		const dropped = await consume([queued()], 1, off);
		expect(dropped.explicitAcks).toEqual(["queue-msg-0"]);
		expect(receiver.deliveries()).toEqual([]);
	});

	it("is the Worker's queue handler", async () => {
		const batch = createMessageBatch(QUEUE, [{ id: "m", timestamp: new Date(), attempts: 1, body: queued() }]);
		const ctx = createExecutionContext();
		now = Date.now();
		await worker.queue(batch, bindings);
		expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["m"]);
		expect(receiver.deliveries()).toHaveLength(1);
	});
});
