import type { Config } from "../config/config";
import type { EmailSender } from "./email-sender";
import { otpEmail, smsText } from "./i18n";
import type { SendContext } from "./report";
import { createEmailSender, createSender } from "./senders";
import type { SmsSender } from "./sms-sender";

/** Where Twilio reports a message's delivery, below PUBLIC_BASE_URL. */
export const STATUS_CALLBACK_PATH = "/api/webhooks/twilio/message-status";

/** What the provider said of one code's message; never thrown. */
export type DeliveryOutcome =
	| { ok: true; id: string; status: string }
	| { ok: false; invalidNumber?: boolean; httpStatus?: number; providerCode?: number; providerError?: string };

/** One pair of senders per parsed config (getConfig keeps one Config per env). */
const senders = new WeakMap<Config, { sms: SmsSender; email?: EmailSender }>();

function sendersFor(config: Config) {
	let pair = senders.get(config);
	if (!pair) {
		pair = { sms: createSender(config), email: config.email.enabled ? createEmailSender(config.email) : undefined };
		senders.set(config, pair);
	}
	return pair;
}

/**
 * Puts a code on its way by the context's channel: an SMS (asking Twilio for
 * status callbacks when PUBLIC_BASE_URL is set) or an email to the
 * registration's address.
 */
export async function deliverCode(config: Config, context: SendContext, code: string): Promise<DeliveryOutcome> {
	const { appName, otp, publicBaseUrl } = config;
	const { sms, email } = sendersFor(config);
	const locale = context.locale ?? config.defaultLocale;
	if (context.email) {
		if (!email) return { ok: false };
		const outcome = await email.send(otpEmail(appName, context.email, code, otp.ttlMs, locale));
		return outcome.ok ? { ...outcome, status: "sent" } : outcome;
	}
	const callback = publicBaseUrl ? publicBaseUrl + STATUS_CALLBACK_PATH : undefined;
	const text = smsText({
		appName,
		code,
		ttlMs: otp.ttlMs,
		purpose: context.purpose,
		locale,
		host: config.autofillHost ?? undefined,
		androidHash: config.androidAppHash,
	});
	const outcome = await sms.send(context.phone.e164, text, callback);
	return outcome.ok ? outcome : { ...outcome, invalidNumber: outcome.reason === "invalid_number" };
}
