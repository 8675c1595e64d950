import type { Texts } from "./texts";

// Devanagari is outside GSM-7: the SMS are UCS-2 (70 characters).
export const hi: Texts = {
	dir: "ltr",
	say: { language: "hi-IN", voice: "Google.hi-IN-Standard-A" },
	minutes: (n) => `${n} मिनट`,
	seconds: (n) => `${n} सेकंड`,
	sms: {
		register: ({ app, code, short }) => (short ? `आपका सत्यापन कोड: ${code}` : `आपका ${app} सत्यापन कोड: ${code}`),
		reset: ({ app, code, short }) => (short ? `पासवर्ड रीसेट कोड: ${code}` : `आपका ${app} पासवर्ड रीसेट कोड: ${code}`),
	},
	voice: {
		intro: {
			register: (app) => `आपका ${app} सत्यापन कोड है:`,
			reset: (app) => `आपका ${app} पासवर्ड रीसेट कोड है:`,
		},
		again: "फिर से:",
		separator: ", ",
	},
	email: {
		subject: (app) => `${app} सत्यापन कोड`,
		codeLine: (app, code) => `आपका ${app} सत्यापन कोड ${code} है।`,
		codeIntro: (app) => `आपका ${app} सत्यापन कोड है:`,
		expires: (expiry) => `यह कोड ${expiry} में समाप्त हो जाएगा। इसे वहीं दर्ज करें जहाँ आपने पंजीकरण शुरू किया था।`,
		ignore: (app) => `अगर आपने ${app} पर पंजीकरण की कोशिश नहीं की, तो इस ईमेल को अनदेखा करें: कोड के बिना कुछ नहीं होगा।`,
	},
};
