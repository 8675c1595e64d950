import { maskPhone } from "../platform/log";
import type { SmsSender, VoiceSender, WhatsAppSender } from "./sms-sender";

/**
 * Local development only: prints the message, code included, to the
 * `wrangler dev` terminal. `sendersFor` never picks these in production.
 */
export function consoleSender(): SmsSender {
	return {
		async send(to, body) {
			console.log(`[dev sms] to ${maskPhone(to)}: ${body}`);
			return { ok: true, id: `console-${crypto.randomUUID()}`, status: "sent" };
		},
	};
}

export function consoleWhatsAppSender(): WhatsAppSender {
	return {
		async send(to, template) {
			console.log(`[dev whatsapp] to ${maskPhone(to)}: template ${template.contentSid}, code ${template.code}`);
			return { ok: true, id: `console-${crypto.randomUUID()}`, status: "sent" };
		},
	};
}

export function consoleVoiceSender(): VoiceSender {
	return {
		async call(to, twiml) {
			console.log(`[dev call] to ${maskPhone(to)}: ${twiml}`);
			return { ok: true, id: `console-${crypto.randomUUID()}`, status: "queued" };
		},
	};
}
