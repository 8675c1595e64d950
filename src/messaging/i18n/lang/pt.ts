import type { Texts } from "./texts";

// SMS wording keeps to the GSM-7 alphabet (no ã, ç, ó, ê): "cadastro", "senha"; the
// reset SMS has no "ignore" line, which cannot be said without "não"/"você".
export const pt: Texts = {
	dir: "ltr",
	say: { language: "pt-BR", voice: "Google.pt-BR-Standard-A" },
	minutes: (n) => `${n} minuto${n === 1 ? "" : "s"}`,
	seconds: (n) => `${n} segundos`,
	sms: {
		register: ({ app, code, expiry }) => `${app}: use ${code} para confirmar seu cadastro. Expira em ${expiry}.`,
		reset: ({ app, code, expiry }) => `${app}: use ${code} para redefinir sua senha. Expira em ${expiry}.`,
	},
	voice: {
		intro: {
			register: (app) => `Seu código de verificação do ${app} é:`,
			reset: (app) => `Seu código para redefinir a senha do ${app} é:`,
		},
		again: "Repetindo:",
		separator: ", ",
	},
	email: {
		subject: (app) => `Código de verificação do ${app}`,
		codeLine: (app, code) => `Seu código de verificação do ${app} é ${code}.`,
		codeIntro: (app) => `Seu código de verificação do ${app} é:`,
		expires: (expiry) => `Ele expira em ${expiry}. Digite-o onde você começou o cadastro.`,
		ignore: (app) => `Se você não tentou se cadastrar no ${app}, ignore este e-mail: nada acontece sem o código.`,
	},
};
