import { getConfig } from "../config/config";
import { log } from "../platform/log";
import { retryAfterSeconds, retryDelaySeconds } from "./backoff";
import { postEvent } from "./post";
import { EVENT_TYPES, type QueuedEvent } from "./types";

export interface ConsumerOptions {
	/** @default Date.now */
	clock?: () => number;
	/** For the backoff's jitter. @default Math.random */
	random?: () => number;
}

/**
 * The EVENTS queue's consumer: posts every message of the batch at once.
 * A 2xx acks it. Anything else (a network error, a timeout, 5xx, 429, 3xx and
 * the other 4xx, as Standard Webhooks counts failures) retries it after
 * {@link retryDelaySeconds}; after the queue's max_retries it goes to the
 * dead-letter queue. Two answers ack without delivery, with an error log line:
 * 410 Gone (the receiver asked for no more) and a body that is no event.
 * Events switched off (no URL) ack what is left: nobody is to receive it.
 */
export async function consumeEvents(
	batch: MessageBatch<unknown>,
	env: Env,
	{ clock = Date.now, random = Math.random }: ConsumerOptions = {},
): Promise<void> {
	const config = getConfig(env).events;
	await Promise.all(
		batch.messages.map(async (message) => {
			const event = message.body;
			if (!isQueuedEvent(event)) {
				log("error", "event_malformed", { messageId: message.id });
				return message.ack();
			}
			const fields = { eventId: event.id, type: event.type, queue: batch.queue, attempts: message.attempts };
			if (!config) {
				log("warn", "event_dropped", { ...fields, reason: "EVENTS_WEBHOOK_URL is unset" });
				return message.ack();
			}
			const now = clock();
			const attempt = await postEvent(config, event, now);
			if (attempt.outcome === "delivered") {
				log("info", "event_delivered", { ...fields, status: attempt.status });
				return message.ack();
			}
			if (attempt.outcome === "gone") {
				log("error", "event_refused", { ...fields, status: attempt.status });
				return message.ack();
			}
			const delaySeconds = retryDelaySeconds(message.attempts, retryAfterSeconds(attempt.retryAfter, now), random);
			log("warn", "event_retry", { ...fields, status: attempt.status, error: attempt.error, delaySeconds });
			message.retry({ delaySeconds });
		}),
	);
}

const TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

function isQueuedEvent(body: unknown): body is QueuedEvent {
	if (typeof body !== "object" || body === null) return false;
	const { id, type, timestamp, data } = body as Record<string, unknown>;
	return (
		typeof id === "string" &&
		/^msg_[\w-]{1,100}$/.test(id) &&
		typeof type === "string" &&
		TYPES.has(type) &&
		typeof timestamp === "string" &&
		typeof data === "object" &&
		data !== null
	);
}
