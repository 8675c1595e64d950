import type { TwilioConfig } from "../config/config";
import type { VoiceSender } from "./sms-sender";
import { postToTwilio } from "./twilio-post";

/**
 * Reads a code out in a call through Twilio's Calls API:
 * `POST …/Calls.json` with `To`, `From` (TWILIO_VOICE_FROM), inline `Twiml`,
 * and a `StatusCallback` for the answer and the call's end (its final
 * CallStatus: completed, busy, no-answer, failed, canceled).
 */
export function twilioVoiceSender(config: TwilioConfig): VoiceSender {
	return {
		call(to, twiml, statusCallback) {
			const form = new URLSearchParams({ To: to, From: config.channels.voiceFrom ?? "", Twiml: twiml });
			if (statusCallback) {
				form.set("StatusCallback", statusCallback);
				form.set("StatusCallbackMethod", "POST");
				form.append("StatusCallbackEvent", "answered");
				form.append("StatusCallbackEvent", "completed");
			}
			return postToTwilio(config, "Calls", form);
		},
	};
}
