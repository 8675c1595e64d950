import type { Texts } from "./texts";

// SMS wording keeps to the GSM-7 alphabet (no á, í, ó, ú): "clave" rather than "código".
export const es: Texts = {
	dir: "ltr",
	say: { language: "es-US", voice: "Google.es-US-Standard-A" },
	minutes: (n) => `${n} minuto${n === 1 ? "" : "s"}`,
	seconds: (n) => `${n} segundos`,
	sms: {
		register: ({ app, code, expiry }) => `Tu clave de ${app} es ${code}. Caduca en ${expiry}.`,
		reset: ({ app, code }) =>
			`Tu clave para restablecer la contraseña de ${app} es ${code}. Si no la pediste, ignora este mensaje.`,
	},
	voice: {
		intro: {
			register: (app) => `Tu código de verificación de ${app} es:`,
			reset: (app) => `Tu código para restablecer la contraseña de ${app} es:`,
		},
		again: "Repito:",
		separator: ", ",
	},
	email: {
		subject: (app) => `Código de verificación de ${app}`,
		codeLine: (app, code) => `Tu código de verificación de ${app} es ${code}.`,
		codeIntro: (app) => `Tu código de verificación de ${app} es:`,
		expires: (expiry) => `Caduca en ${expiry}. Escríbelo donde empezaste el registro.`,
		ignore: (app) => `Si no intentaste registrarte en ${app}, ignora este correo: sin el código no ocurre nada.`,
	},
};
