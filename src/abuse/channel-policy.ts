import type { Channel, Config, PhoneChannel } from "../config/config";
import { type Failure, failure } from "../errors/errors";
import type { Phone } from "../phone/parse";
import { countryRefusal } from "./country-policy";

/**
 * Why a code may not go to `phone` by `channel`: not in OTP_CHANNELS
 * (CHANNEL_UNAVAILABLE), a country the SMS policy refuses (every phone
 * channel costs and can be pumped alike: COUNTRY_NOT_ALLOWED), or a voice
 * call to a country outside OTP_CALL_COUNTRIES (CHANNEL_UNAVAILABLE; none
 * by default, as calls are the toll-fraud target). Null: allowed.
 */
export function channelRefusal(channel: Channel, phone: Phone, config: Config): Failure | null {
	if (!config.channels.enabled.has(channel)) return failure("CHANNEL_UNAVAILABLE");
	if (channel === "email") return null;
	const country = countryRefusal(phone, config.smsPolicy);
	if (country) return country;
	if (channel !== "call") return null;
	const allowed = config.channels.callCountries;
	const listed =
		allowed.includes(phone.callingCode) ||
		(phone.countries.length > 0 && phone.countries.every((c) => allowed.includes(c)));
	return listed
		? null
		: failure("CHANNEL_UNAVAILABLE", { message: "Voice calls cannot be made to numbers in this country" });
}

/**
 * The channel to offer (or fall back to) after `tried`: the first phone
 * channel of OTP_CHANNEL_ORDER allowed for the number and not tried yet,
 * then email when enabled and not tried; null when none is left.
 */
export function nextChannel(tried: readonly Channel[], phone: Phone, config: Config): Channel | null {
	const fresh = (c: Channel) => !tried.includes(c) && channelRefusal(c, phone, config) === null;
	const phoneChannel = config.channels.order.find((c: PhoneChannel) => fresh(c));
	if (phoneChannel) return phoneChannel;
	return fresh("email") ? "email" : null;
}
