import { maskEmail } from "../platform/log";
import type { EmailSender } from "./email-sender";

/**
 * Local development only: prints the email's text, code included, to the
 * `wrangler dev` terminal. `createEmailSender` never picks it in production.
 */
export function consoleEmailSender(): EmailSender {
	return {
		async send(email) {
			console.log(`[dev email] to ${maskEmail(email.to)}: ${email.subject}\n${email.text}`);
			return { ok: true, id: `console-${crypto.randomUUID()}` };
		},
	};
}
