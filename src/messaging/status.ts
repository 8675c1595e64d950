/**
 * Twilio's message statuses in the order a message moves through them
 * (https://www.twilio.com/docs/messaging/api/message-resource#message-status-values).
 * A status is recorded only when it ranks above the one held, so a callback
 * that arrives late or twice changes nothing. The outcomes share a rank: the
 * first one heard stands (`read` follows `delivered` on channels that report it).
 */
const RANKS: Record<string, number> = {
	accepted: 1,
	scheduled: 1,
	queued: 2,
	sending: 3,
	sent: 4,
	delivered: 5,
	undelivered: 5,
	failed: 5,
	canceled: 5,
	read: 6,
};

/** What a client is told about the latest code it was sent. */
export type Delivery = "queued" | "sent" | "delivered" | "failed";

export const DELIVERIES = ["queued", "sent", "delivered", "failed"] as const satisfies readonly Delivery[];

/** The statuses that mean the code never reached the phone. */
export const FAILED_STATUSES = ["undelivered", "failed", "canceled"] as const;

/** The rank of a provider status; 0 for one this service does not know (it is then ignored). */
export function statusRank(status: string): number {
	return RANKS[status] ?? 0;
}

/** A provider status as a client sees it. */
export function deliveryOf(status: string): Delivery {
	if (status === "delivered" || status === "read") return "delivered";
	if ((FAILED_STATUSES as readonly string[]).includes(status)) return "failed";
	return status === "sent" ? "sent" : "queued";
}
