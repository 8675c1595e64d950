export interface Email {
	to: string;
	subject: string;
	text: string;
	html: string;
}

/** The outcome of one email; never throws for a delivery problem. `providerError`: the API's error name. */
export type EmailOutcome = { ok: true; id: string } | { ok: false; providerError?: string; httpStatus?: number };

export interface EmailSender {
	send(email: Email): Promise<EmailOutcome>;
}
