import { TEXTS } from "./catalog";
import type { Purpose } from "./lang/texts";
import type { Locale } from "./locale";

export interface VoiceTwimlOptions {
	appName: string;
	code: string;
	locale: Locale;
	purpose: Purpose;
}

/**
 * The TwiML of a code call: a pause, the intro, the code digit by digit, a
 * pause, and the code again, in the person's language. Every `<Say>` names a Google
 * voice and its language, so each locale is spoken by a voice that speaks it
 * (the default `man` voice knows only a few languages).
 */
export function voiceTwiml(o: VoiceTwimlOptions): string {
	const texts = TEXTS[o.locale];
	const { intro, again, separator } = texts.voice;
	const digits = [...o.code].join(separator);
	const say = (text: string) =>
		`<Say voice="${escapeXml(texts.say.voice)}" language="${escapeXml(texts.say.language)}">${escapeXml(text)}</Say>`;
	return [
		'<?xml version="1.0" encoding="UTF-8"?>',
		"<Response>",
		// A second of silence: the callee is still raising the phone when the call connects.
		'<Pause length="1"/>',
		say(intro[o.purpose](o.appName)),
		say(`${digits}.`),
		'<Pause length="1"/>',
		say(again),
		say(`${digits}.`),
		"</Response>",
	].join("");
}

export function escapeXml(s: string): string {
	return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
