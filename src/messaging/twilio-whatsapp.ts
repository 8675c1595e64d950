import type { TwilioConfig } from "../config/config";
import type { WhatsAppSender } from "./sms-sender";
import { postToTwilio } from "./twilio-post";

/**
 * Sends a code as a WhatsApp authentication template through the Messages
 * API: `To`/`From` are `whatsapp:+E164`, `ContentSid` the approved template,
 * `ContentVariables` `{"1":"<code>"}`; no Body (a business-initiated
 * message outside the 24-hour window may only be a template).
 */
export function twilioWhatsAppSender(config: TwilioConfig): WhatsAppSender {
	return {
		send(to, template, statusCallback) {
			const form = new URLSearchParams({
				To: `whatsapp:${to}`,
				From: config.channels.whatsappFrom ?? "",
				ContentSid: template.contentSid,
				ContentVariables: JSON.stringify({ 1: template.code }),
			});
			if (statusCallback) form.set("StatusCallback", statusCallback);
			return postToTwilio(config, "Messages", form);
		},
	};
}
