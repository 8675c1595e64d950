import type { Texts } from "./texts";

// The GSM-7 alphabet has ä, ö, ü and ß: German SMS stay GSM-7.
export const de: Texts = {
	dir: "ltr",
	say: { language: "de-DE", voice: "Google.de-DE-Standard-A" },
	minutes: (n) => `${n} Minute${n === 1 ? "" : "n"}`,
	seconds: (n) => `${n} Sekunden`,
	sms: {
		register: ({ app, code, expiry }) => `Ihr Bestätigungscode für ${app}: ${code}. Gültig für ${expiry}.`,
		reset: ({ app, code }) =>
			`Ihr Code zum Zurücksetzen des Passworts für ${app}: ${code}. Nicht angefordert? Bitte ignorieren.`,
	},
	voice: {
		intro: {
			register: (app) => `Ihr Bestätigungscode für ${app} lautet:`,
			reset: (app) => `Ihr Code zum Zurücksetzen des Passworts für ${app} lautet:`,
		},
		again: "Noch einmal:",
		separator: ", ",
	},
	email: {
		subject: (app) => `Ihr Bestätigungscode für ${app}`,
		codeLine: (app, code) => `Ihr Bestätigungscode für ${app} lautet ${code}.`,
		codeIntro: (app) => `Ihr Bestätigungscode für ${app} lautet:`,
		expires: (expiry) => `Er ist ${expiry} gültig. Geben Sie ihn dort ein, wo Sie Ihre Registrierung begonnen haben.`,
		ignore: (app) =>
			`Falls Sie sich nicht bei ${app} registrieren wollten, ignorieren Sie diese E-Mail: Ohne den Code passiert nichts.`,
	},
};
