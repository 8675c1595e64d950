/**
 * Every event this service sends and the data each carries. Thin on purpose:
 * ids and masked phone numbers, never a password, code, hash or token.
 */
// Spelled out rather than imported: the rooms that emit events (otp's callers, messaging) import this one.
type Channel = "sms" | "whatsapp" | "call" | "email";
type Purpose = "register" | "reset";

export interface EventData {
	"customer.registered": { customerId: number /** Masked: `+1415***2671`. */; phone: string; channel: Channel };
	"customer.deleted": { customerId: number };
	/** Every session of the customer was signed out with it. */
	"password.reset": { customerId: number };
	/** A security alert: a refresh token was used twice, and its session (first 8 characters of its id) revoked. */
	"session.reuse_detected": { customerId: number; session: string };
	/** A code took its last wrong guess and is burned. */
	"verification.locked": { phone: string; purpose: Purpose };
	/** The provider reported an SMS, a WhatsApp message or a call failed or undelivered; `providerCode` is Twilio's ErrorCode. */
	"message.undelivered": { phone: string; channel: Exclude<Channel, "email">; providerCode?: number };
}

export type EventType = keyof EventData;

/** Every type, for the consumer's check of what it dequeues. */
export const EVENT_TYPES = [
	"customer.registered",
	"customer.deleted",
	"password.reset",
	"session.reuse_detected",
	"verification.locked",
	"message.undelivered",
] as const satisfies readonly EventType[];

// Fails to compile when a type of EventData is missing above.
const _everyType: [Exclude<EventType, (typeof EVENT_TYPES)[number]>] extends [never] ? true : never = true;

/**
 * What the queue carries: the event as it will be posted, with `id` fixed when
 * it was queued, so every retry sends the same `webhook-id`.
 */
export interface QueuedEvent<T extends EventType = EventType> {
	id: string;
	type: T;
	/** ISO 8601: when the event happened, not when it is delivered. */
	timestamp: string;
	data: EventData[T];
}
