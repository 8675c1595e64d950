/**
 * When a failed delivery is tried again: exponential in the attempts made
 * (60 s, 3 min, 9 min, 27 min, 81 min, 4 h, then 12 h), each stretched by up to
 * a fifth at random so that failures caused by load do not return in step.
 * With the queue's max_retries = 8 the last try is about 30 hours after the
 * first (Standard Webhooks recommends a schedule spanning days, with jitter).
 */

export const FIRST_RETRY_SECONDS = 60;
export const BACKOFF_FACTOR = 3;
/** Queues refuses a longer delay. */
export const MAX_RETRY_SECONDS = 43_200;

/**
 * @param attempts `message.attempts`: 1 on the first delivery.
 * @param retryAfterSeconds The receiver's `Retry-After`, honoured up to the maximum.
 * @param random A number in [0, 1); tests pin it.
 */
export function retryDelaySeconds(attempts: number, retryAfterSeconds = 0, random: () => number = Math.random): number {
	const exponent = Math.max(0, Math.min(attempts, 20) - 1);
	const base = Math.min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * BACKOFF_FACTOR ** exponent);
	const jittered = Math.floor(base * (1 + random() / 5));
	return Math.min(MAX_RETRY_SECONDS, Math.max(jittered, Math.ceil(retryAfterSeconds)));
}

/** `Retry-After` as seconds (a number or an HTTP date); 0 when absent or unreadable. */
export function retryAfterSeconds(header: string | null, nowMs: number): number {
	if (!header) return 0;
	const seconds = Number(header);
	if (Number.isFinite(seconds)) return Math.max(0, seconds);
	const at = Date.parse(header);
	return Number.isNaN(at) ? 0 : Math.max(0, (at - nowMs) / 1000);
}
