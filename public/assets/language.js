/**
 * The page's language for what the registration page says about channels:
 * the first of the browser's languages (navigator.languages) that the page
 * knows, else `<html lang>`, else English. The API gets it as `locale`, so
 * the code arrives in the same language. Words in another language than the
 * page's carry their own `lang` (and `dir` for Arabic), so screen readers
 * read them right. Wording for a speaker's review: short, plain, one action.
 */

const NEXT_CHANNEL = {
	en: {
		sms: "Text me the code instead",
		whatsapp: "Send the code by WhatsApp instead",
		call: "Call me with the code",
		email: "Email me the code instead",
	},
	es: {
		sms: "Enviarme el código por SMS",
		whatsapp: "Enviarme el código por WhatsApp",
		call: "Llamarme para darme el código",
		email: "Enviarme el código por correo",
	},
	pt: {
		sms: "Enviar o código por SMS",
		whatsapp: "Enviar o código pelo WhatsApp",
		call: "Receber o código por chamada",
		email: "Enviar o código por e-mail",
	},
	fr: {
		sms: "Recevoir le code par SMS",
		whatsapp: "Recevoir le code par WhatsApp",
		call: "Recevoir le code par appel",
		email: "Recevoir le code par e-mail",
	},
	de: {
		sms: "Code per SMS senden",
		whatsapp: "Code per WhatsApp senden",
		call: "Code per Anruf erhalten",
		email: "Code per E-Mail senden",
	},
	hi: {
		sms: "कोड SMS से भेजें",
		whatsapp: "कोड WhatsApp पर भेजें",
		call: "कोड के लिए मुझे कॉल करें",
		email: "कोड ईमेल पर भेजें",
	},
	id: {
		sms: "Kirim kode lewat SMS",
		whatsapp: "Kirim kode lewat WhatsApp",
		call: "Telepon saya untuk kodenya",
		email: "Kirim kode lewat email",
	},
	ar: {
		sms: "أرسل الرمز في رسالة نصية",
		whatsapp: "أرسل الرمز عبر واتساب",
		call: "اتصل بي لإبلاغي بالرمز",
		email: "أرسل الرمز عبر البريد الإلكتروني",
	},
	tr: {
		sms: "Kodu SMS ile gönder",
		whatsapp: "Kodu WhatsApp ile gönder",
		call: "Kodu sesli arama ile al",
		email: "Kodu e-postayla gönder",
	},
	ru: {
		sms: "Отправить код по SMS",
		whatsapp: "Отправить код в WhatsApp",
		call: "Продиктовать код по телефону",
		email: "Отправить код на почту",
	},
};

const RTL = new Set(["ar"]);

/** `{ lang, dir, tag }`: the language the page speaks (`ar`), its direction, and the tag the browser gave (`ar-EG`). */
export function pageLanguage() {
	const offered = [...(navigator.languages ?? []), navigator.language, document.documentElement.lang, "en"];
	for (const tag of offered) {
		const lang = String(tag ?? "")
			.toLowerCase()
			.split("-")[0];
		if (lang in NEXT_CHANNEL) return { lang, dir: RTL.has(lang) ? "rtl" : "ltr", tag };
	}
	return { lang: "en", dir: "ltr", tag: "en" };
}

/** Labels `element` with the offer of `channel` in `language`, marked with that language and direction. */
export function labelNextChannel(element, channel, language) {
	element.textContent = NEXT_CHANNEL[language.lang][channel] ?? NEXT_CHANNEL.en[channel] ?? "";
	element.lang = language.lang;
	element.dir = language.dir;
}
