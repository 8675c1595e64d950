/** The outcome of one SMS; never throws for a delivery problem. */
export type SendOutcome =
	/** `status`: the provider's first status for the message (`queued`, `accepted`, ...). */
	| { ok: true; id: string; status: string }
	/** `invalid_number`: the provider says this phone cannot receive SMS. */
	| { ok: false; reason: "invalid_number" | "failed"; providerCode?: number; httpStatus?: number };

export interface SmsSender {
	/** `statusCallback`: where the provider should report the message's delivery. */
	send(to: string, body: string, statusCallback?: string): Promise<SendOutcome>;
}
