import type { EventsConfig } from "../config/config";
import { signedHeaders } from "./signature";
import type { QueuedEvent } from "./types";

/** What one attempt came to: delivered, worth another try later, or refused for good. */
export type Attempt =
	| { outcome: "delivered"; status: number }
	| { outcome: "retry"; status?: number; retryAfter: string | null; error?: string }
	| { outcome: "gone"; status: 410 };

/**
 * Posts one event, signed for this attempt: the body and `webhook-id` are the
 * same on every attempt, `webhook-timestamp` (and so the signature) is new.
 * Per Standard Webhooks only a 2xx is a delivery; redirects are not followed
 * (a 3xx is a failure); 410 Gone means the receiver wants no more.
 */
export async function postEvent(config: EventsConfig, event: QueuedEvent, nowMs: number): Promise<Attempt> {
	const body = JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
	const headers = await signedHeaders(config.key, event.id, nowMs, body);
	let response: Response;
	try {
		response = await fetch(config.url, {
			method: "POST",
			headers: { "content-type": "application/json", "user-agent": "edge-verify-webhooks/1", ...headers },
			body,
			redirect: "manual",
			signal: AbortSignal.timeout(config.timeoutMs),
		});
	} catch (err) {
		return { outcome: "retry", retryAfter: null, error: err instanceof Error ? err.name : "fetch failed" };
	}
	// The receiver's answer is not read: only its status counts.
	await response.body?.cancel();
	const { status } = response;
	if (status >= 200 && status < 300) return { outcome: "delivered", status };
	if (status === 410) return { outcome: "gone", status };
	return { outcome: "retry", status, retryAfter: response.headers.get("retry-after") };
}
