import type { Config, EmailConfig } from "../config/config";
import { consoleEmailSender } from "./console-email";
import { consoleSender, consoleVoiceSender, consoleWhatsAppSender } from "./console-sms";
import type { EmailSender } from "./email-sender";
import { resendSender } from "./resend";
import type { SmsSender, VoiceSender, WhatsAppSender } from "./sms-sender";
import { twilioSender } from "./twilio";
import { twilioVoiceSender } from "./twilio-voice";
import { twilioWhatsAppSender } from "./twilio-whatsapp";

export interface Senders {
	sms: SmsSender;
	whatsapp: WhatsAppSender;
	voice: VoiceSender;
	email?: EmailSender;
}

/** One set of senders per parsed config (getConfig keeps one Config per env). */
const cache = new WeakMap<Config, Senders>();

/** Twilio when configured; the console senders exist only outside production (see config). */
export function sendersFor(config: Config): Senders {
	let senders = cache.get(config);
	if (!senders) {
		const email = config.email.enabled ? createEmailSender(config.email) : undefined;
		senders =
			config.sms.kind === "twilio"
				? {
						sms: twilioSender(config.sms.twilio),
						whatsapp: twilioWhatsAppSender(config.sms.twilio),
						voice: twilioVoiceSender(config.sms.twilio),
						email,
					}
				: { sms: consoleSender(), whatsapp: consoleWhatsAppSender(), voice: consoleVoiceSender(), email };
		cache.set(config, senders);
	}
	return senders;
}

/** Resend when configured; the console sender exists only outside production (see config). */
export function createEmailSender(config: Extract<EmailConfig, { enabled: true }>): EmailSender {
	return config.sender.kind === "resend" ? resendSender(config.sender.resend) : consoleEmailSender();
}
