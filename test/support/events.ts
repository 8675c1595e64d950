import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import type { QueuedEvent } from "../../src/events/types";
import { FAKE_EVENTS_SECRET } from "./fake-event-receiver";

/** Events switched on, at a receiver nobody serves: tests read the queue, or stub fetch for the consumer. */
export const EVENTS_URL = "https://events.test/hooks/edge-verify";
export const EVENT_VARS = { EVENTS_WEBHOOK_URL: EVENTS_URL, EVENTS_WEBHOOK_SECRET: FAKE_EVENTS_SECRET };

/**
 * A Queue binding that keeps what it is sent (as the queue stores it: a
 * structured clone); `fail` makes `send` throw, or return a rejection.
 */
export function recordingQueue(fail?: "throw" | "reject") {
	const sent: QueuedEvent[] = [];
	const send = (body: unknown) => {
		if (fail === "throw") throw new Error("queue unavailable");
		if (fail === "reject") return Promise.reject(new Error("queue unavailable"));
		sent.push(structuredClone(body) as QueuedEvent);
		return Promise.resolve();
	};
	return { queue: { send } as unknown as Queue, sent };
}

/**
 * The app with events on, over the test bindings with `vars` replaced (the
 * Durable Objects keep the real ones; per-address send limits off). Each
 * request waits for what it left running (waitUntil), so `sent` holds its events.
 */
export function eventsApp(vars: Record<string, unknown> = {}, fail?: "throw" | "reject") {
	const { queue, sent } = recordingQueue(fail);
	const app = createApp();
	const bindings = { ...env, IP_RATE_LIMITS: "off", ...EVENT_VARS, EVENTS: queue, ...vars } as unknown as Env;
	const request = async (
		path: string,
		init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
	) => {
		const ctx = createExecutionContext();
		const headers: Record<string, string> = { ...init.headers };
		let body: string | undefined;
		if (typeof init.body === "string") body = init.body;
		else if (init.body !== undefined) {
			headers["content-type"] = "application/json";
			body = JSON.stringify(init.body);
		}
		const url = path.startsWith("http") ? path : `http://localhost${path}`;
		const res = await app.fetch(
			new Request(url, { method: init.method ?? (body ? "POST" : "GET"), headers, body }),
			bindings,
			ctx,
		);
		await waitOnExecutionContext(ctx);
		return res;
	};
	return { request, sent, bindings };
}

export type EventsApp = ReturnType<typeof eventsApp>;
