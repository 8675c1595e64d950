import type { TwilioConfig } from "../config/config";
import type { SmsSender } from "./sms-sender";
import { postToTwilio } from "./twilio-post";

/** Sends texts through Twilio's Messages API (see postToTwilio). */
export function twilioSender(config: TwilioConfig): SmsSender {
	return {
		send(to, body, statusCallback) {
			const form = new URLSearchParams({ To: to, Body: body });
			if (statusCallback) form.set("StatusCallback", statusCallback);
			if (config.messagingServiceSid) form.set("MessagingServiceSid", config.messagingServiceSid);
			else if (config.from) form.set("From", config.from);
			return postToTwilio(config, "Messages", form);
		},
	};
}
