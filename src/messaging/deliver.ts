import type { Config, TwilioChannels } from "../config/config";
import { LOCALES, type Locale, otpEmail, smsText, voiceTwiml } from "./i18n";
import type { SendContext } from "./report";
import { sendersFor } from "./senders";

/** Where Twilio reports a message's delivery (SMS and WhatsApp), below PUBLIC_BASE_URL. */
export const STATUS_CALLBACK_PATH = "/api/webhooks/twilio/message-status";
/** Where Twilio reports a call's progress and outcome, below PUBLIC_BASE_URL. */
export const CALL_STATUS_CALLBACK_PATH = "/api/webhooks/twilio/call-status";

/** What the provider said of one code's message; never thrown. */
export type DeliveryOutcome =
	| { ok: true; id: string; status: string }
	| {
			ok: false;
			reason?: "invalid_number" | "unreachable" | "failed";
			httpStatus?: number;
			providerCode?: number;
			providerError?: string;
	  };

/**
 * Puts a code on its way by the context's channel: an SMS, a WhatsApp
 * template, a voice call (each asking Twilio for status callbacks when
 * PUBLIC_BASE_URL is set), or an email to the registration's address; in
 * the registration's language.
 */
export async function deliverCode(config: Config, context: SendContext, code: string): Promise<DeliveryOutcome> {
	const { appName, otp, publicBaseUrl } = config;
	const senders = sendersFor(config);
	// A language stored by an older release may have left LOCALES since.
	const locale = context.locale && LOCALES.includes(context.locale) ? context.locale : config.defaultLocale;
	const { purpose } = context;
	if (context.email) {
		if (!senders.email) return { ok: false };
		const outcome = await senders.email.send(otpEmail(appName, context.email, code, otp.ttlMs, locale));
		return outcome.ok ? { ...outcome, status: "sent" } : outcome;
	}
	const to = context.phone.e164;
	const callback = (path: string) => (publicBaseUrl ? publicBaseUrl + path : undefined);
	switch (context.channel) {
		case "whatsapp": {
			const contentSid = contentSidFor(config.sms.kind === "twilio" ? config.sms.twilio.channels : undefined, locale);
			return senders.whatsapp.send(to, { contentSid, code }, callback(STATUS_CALLBACK_PATH));
		}
		case "call":
			return senders.voice.call(
				to,
				voiceTwiml({ appName, code, locale, purpose }),
				callback(CALL_STATUS_CALLBACK_PATH),
			);
		default: {
			const host = config.autofillHost ?? undefined;
			const body = smsText({
				appName,
				code,
				ttlMs: otp.ttlMs,
				purpose,
				locale,
				host,
				androidHash: config.androidAppHash,
			});
			return senders.sms.send(to, body, callback(STATUS_CALLBACK_PATH));
		}
	}
}

/**
 * The WhatsApp template for `locale`: its entry (config keys the map by the
 * languages of LOCALES), else the default one (`en`, or a bare sid).
 */
export function contentSidFor(channels: TwilioChannels | undefined, locale: Locale): string {
	const sids = channels?.whatsappContentSids;
	return sids?.get(locale) ?? sids?.get("en") ?? sids?.get("") ?? "HX-console-template";
}
