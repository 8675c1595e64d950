// The person's language: which one (locale), and every text a code travels in.
export { otpEmail } from "./email";
export type { Purpose } from "./lang/texts";
export { LOCALES, type Locale, pickLocale } from "./locale";
export { type SmsSegments, smsSegments } from "./segments";
export { type SmsTextOptions, smsText } from "./sms";
export { type VoiceTwimlOptions, voiceTwiml } from "./voice";
