import type { Texts } from "./texts";

// SMS wording keeps to the GSM-7 alphabet, which has é and è but not ê, ç or î.
export const fr: Texts = {
	dir: "ltr",
	say: { language: "fr-FR", voice: "Google.fr-FR-Standard-A" },
	minutes: (n) => `${n} minute${n === 1 ? "" : "s"}`,
	seconds: (n) => `${n} secondes`,
	sms: {
		register: ({ app, code, expiry }) => `Votre code de vérification ${app} est ${code}. Il expire dans ${expiry}.`,
		reset: ({ app, code }) =>
			`Code pour réinitialiser votre mot de passe ${app} : ${code}. Pas demandé ? Ignorez ce message.`,
	},
	voice: {
		intro: {
			register: (app) => `Votre code de vérification ${app} est :`,
			reset: (app) => `Votre code pour réinitialiser votre mot de passe ${app} est :`,
		},
		again: "Je répète :",
		separator: ", ",
	},
	email: {
		subject: (app) => `Code de vérification ${app}`,
		codeLine: (app, code) => `Votre code de vérification ${app} est ${code}.`,
		codeIntro: (app) => `Votre code de vérification ${app} est :`,
		expires: (expiry) => `Il expire dans ${expiry}. Saisissez-le là où vous avez commencé votre inscription.`,
		ignore: (app) =>
			`Si vous n'avez pas essayé de vous inscrire sur ${app}, ignorez cet e-mail : rien ne se passe sans le code.`,
	},
};
