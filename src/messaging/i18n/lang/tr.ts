import type { Texts } from "./texts";

// Turkish needs ş, ğ, ı and ç, outside the GSM-7 alphabet: its SMS are UCS-2 (70 characters).
export const tr: Texts = {
	dir: "ltr",
	say: { language: "tr-TR", voice: "Google.tr-TR-Standard-A" },
	minutes: (n) => `${n} dakika`,
	seconds: (n) => `${n} saniye`,
	sms: {
		register: ({ app, code, short }) => (short ? `Doğrulama kodunuz: ${code}` : `${app} doğrulama kodunuz: ${code}`),
		reset: ({ app, code, short }) => (short ? `Sıfırlama kodunuz: ${code}` : `${app} şifre sıfırlama kodunuz: ${code}`),
	},
	voice: {
		intro: {
			register: (app) => `${app} doğrulama kodunuz:`,
			reset: (app) => `${app} şifre sıfırlama kodunuz:`,
		},
		again: "Tekrar ediyorum:",
		separator: ", ",
	},
	email: {
		subject: (app) => `${app} doğrulama kodu`,
		codeLine: (app, code) => `${app} doğrulama kodunuz: ${code}.`,
		codeIntro: (app) => `${app} doğrulama kodunuz:`,
		expires: (expiry) => `Kod ${expiry} geçerlidir. Kodu, kaydınızı başlattığınız sayfaya girin.`,
		ignore: (app) =>
			`${app} hizmetine kaydolmaya çalışmadıysanız bu e-postayı dikkate almayın: kod olmadan hiçbir şey olmaz.`,
	},
};
