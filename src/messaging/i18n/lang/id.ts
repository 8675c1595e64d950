import type { Texts } from "./texts";

export const id: Texts = {
	dir: "ltr",
	say: { language: "id-ID", voice: "Google.id-ID-Standard-A" },
	minutes: (n) => `${n} menit`,
	seconds: (n) => `${n} detik`,
	sms: {
		register: ({ app, code, expiry }) => `Kode verifikasi ${app} Anda: ${code}. Berlaku ${expiry}.`,
		reset: ({ app, code, expiry }) =>
			`Kode reset kata sandi ${app} Anda: ${code}. Berlaku ${expiry}. Jika bukan Anda, abaikan pesan ini.`,
	},
	voice: {
		intro: {
			register: (app) => `Kode verifikasi ${app} Anda adalah:`,
			reset: (app) => `Kode reset kata sandi ${app} Anda adalah:`,
		},
		again: "Sekali lagi:",
		separator: ", ",
	},
	email: {
		subject: (app) => `Kode verifikasi ${app}`,
		codeLine: (app, code) => `Kode verifikasi ${app} Anda adalah ${code}.`,
		codeIntro: (app) => `Kode verifikasi ${app} Anda adalah:`,
		expires: (expiry) => `Kode ini berlaku selama ${expiry}. Masukkan di tempat Anda memulai pendaftaran.`,
		ignore: (app) =>
			`Jika Anda tidak mencoba mendaftar di ${app}, abaikan email ini: tanpa kode tersebut, tidak ada yang terjadi.`,
	},
};
