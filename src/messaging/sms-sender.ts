/** The outcome of one message or call; never throws for a delivery problem. */
export type SendOutcome =
	/** `status`: the provider's first status for the message (`queued`, `accepted`, ...). */
	| { ok: true; id: string; status: string }
	/**
	 * `invalid_number`: the provider says this phone cannot receive it;
	 * `unreachable`: not on this channel (a number without WhatsApp).
	 */
	| { ok: false; reason: "invalid_number" | "unreachable" | "failed"; providerCode?: number; httpStatus?: number };

export interface SmsSender {
	/** `statusCallback`: where the provider should report the message's delivery. */
	send(to: string, body: string, statusCallback?: string): Promise<SendOutcome>;
}

/** A WhatsApp authentication template: the approved content and its one variable, the code. */
export interface WhatsAppTemplate {
	contentSid: string;
	code: string;
}

export interface WhatsAppSender {
	send(to: string, template: WhatsAppTemplate, statusCallback?: string): Promise<SendOutcome>;
}

export interface VoiceSender {
	/** `twiml`: what the call says; `statusCallback`: where the provider reports the call's outcome. */
	call(to: string, twiml: string, statusCallback?: string): Promise<SendOutcome>;
}
