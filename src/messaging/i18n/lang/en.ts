import type { Texts } from "./texts";

export const en: Texts = {
	dir: "ltr",
	say: { language: "en-US", voice: "Google.en-US-Standard-C" },
	minutes: (n) => `${n} minute${n === 1 ? "" : "s"}`,
	seconds: (n) => `${n} seconds`,
	sms: {
		register: ({ app, code, expiry }) => `Your ${app} verification code is ${code}. It expires in ${expiry}.`,
		reset: ({ app, code, expiry }) =>
			`Your ${app} password reset code is ${code}. It expires in ${expiry}. Not you? Ignore this message.`,
	},
	voice: {
		intro: {
			register: (app) => `Your ${app} verification code is:`,
			reset: (app) => `Your ${app} password reset code is:`,
		},
		again: "Again:",
		separator: ", ",
	},
	email: {
		subject: (app) => `${app} verification code`,
		codeLine: (app, code) => `Your ${app} verification code is ${code}.`,
		codeIntro: (app) => `Your ${app} verification code is:`,
		expires: (expiry) => `It expires in ${expiry}. Enter it where you started your registration.`,
		ignore: (app) => `If you did not try to register with ${app}, ignore this email: nothing happens without the code.`,
	},
};
