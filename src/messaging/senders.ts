import type { Config, EmailConfig } from "../config/config";
import { consoleEmailSender } from "./console-email";
import { consoleSender } from "./console-sms";
import type { EmailSender } from "./email-sender";
import { resendSender } from "./resend";
import type { SmsSender } from "./sms-sender";
import { twilioSender } from "./twilio";

/** Twilio when configured; the console sender exists only outside production (see config). */
export function createSender(config: Config): SmsSender {
	return config.sms.kind === "twilio" ? twilioSender(config.sms.twilio) : consoleSender();
}

/** Resend when configured; the console sender exists only outside production (see config). */
export function createEmailSender(config: Extract<EmailConfig, { enabled: true }>): EmailSender {
	return config.sender.kind === "resend" ? resendSender(config.sender.resend) : consoleEmailSender();
}
