import type { Context } from "hono";
import type { AppEnv } from "../platform/app-env";
import { errorMessage, log } from "../platform/log";
import type { EventData, EventType, QueuedEvent } from "./types";

/**
 * Queues an event for the webhook, after the response: never awaited, never
 * thrown. Whatever the queue does (missing, refusing, slow), the request that
 * caused the event answers as it would without it. No EVENTS_WEBHOOK_URL: nothing.
 * @example
 * emit(c, "customer.deleted", { customerId });
 */
export function emit<T extends EventType>(c: Context<AppEnv>, type: T, data: EventData[T]): void {
	try {
		if (!c.get("config").events) return;
		const event: QueuedEvent<T> = { id: eventId(), type, timestamp: new Date(c.get("now")).toISOString(), data };
		c.executionCtx.waitUntil(enqueue(c.env.EVENTS, event));
	} catch (err) {
		log("error", "event_not_queued", { type, error: errorMessage(err) });
	}
}

async function enqueue(queue: Queue | undefined, event: QueuedEvent): Promise<void> {
	try {
		if (!queue) throw new Error("the EVENTS queue binding is missing");
		await queue.send(event, { contentType: "json" });
	} catch (err) {
		log("error", "event_not_queued", { type: event.type, eventId: event.id, error: errorMessage(err) });
	}
}

/** `msg_` and 32 hex digits: unique per event, and never a `.` (it delimits the signed content). */
function eventId(): string {
	return `msg_${crypto.randomUUID().replaceAll("-", "")}`;
}
