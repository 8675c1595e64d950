import type { EmailConfig } from "../../config/config";
import { consoleEmailSender } from "./console";
import { resendSender } from "./resend";

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

/** Resend when configured; the console sender exists only outside production (see config). */
export function createEmailSender(config: Extract<EmailConfig, { enabled: true }>): EmailSender {
	return config.sender.kind === "resend" ? resendSender(config.sender.resend) : consoleEmailSender();
}
