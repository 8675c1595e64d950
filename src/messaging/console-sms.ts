import { maskPhone } from "../platform/log";
import type { SmsSender } from "./sms-sender";

/**
 * Local development only: prints the message, code included, to the
 * `wrangler dev` terminal. `createSender` never picks it in production.
 */
export function consoleSender(): SmsSender {
	return {
		async send(to, body) {
			console.log(`[dev sms] to ${maskPhone(to)}: ${body}`);
			return { ok: true, id: `console-${crypto.randomUUID()}`, status: "sent" };
		},
	};
}
