import type { Texts } from "./texts";

/** Russian plural: 1, 21 минута; 2–4, 22 минуты; 5–20, 25 минут. */
function plural(n: number, one: string, few: string, many: string): string {
	const d = n % 10;
	const dd = n % 100;
	const word = d === 1 && dd !== 11 ? one : d >= 2 && d <= 4 && (dd < 12 || dd > 14) ? few : many;
	return `${n} ${word}`;
}

// Cyrillic is outside GSM-7: the SMS are UCS-2 (70 characters).
export const ru: Texts = {
	dir: "ltr",
	say: { language: "ru-RU", voice: "Google.ru-RU-Standard-A" },
	minutes: (n) => plural(n, "минута", "минуты", "минут"),
	seconds: (n) => plural(n, "секунда", "секунды", "секунд"),
	sms: {
		register: ({ app, code, short }) => (short ? `Код подтверждения: ${code}` : `Код подтверждения ${app}: ${code}`),
		reset: ({ app, code, short }) => (short ? `Код сброса пароля: ${code}` : `Код сброса пароля ${app}: ${code}`),
	},
	voice: {
		intro: {
			register: (app) => `Ваш код подтверждения ${app}:`,
			reset: (app) => `Ваш код для сброса пароля ${app}:`,
		},
		again: "Повторяю:",
		separator: ", ",
	},
	email: {
		subject: (app) => `Код подтверждения ${app}`,
		codeLine: (app, code) => `Ваш код подтверждения ${app}: ${code}.`,
		codeIntro: (app) => `Ваш код подтверждения ${app}:`,
		expires: (expiry) => `Срок действия кода: ${expiry}. Введите его там, где начали регистрацию.`,
		ignore: (app) =>
			`Если вы не пытались зарегистрироваться в ${app}, проигнорируйте это письмо: без кода ничего не произойдёт.`,
	},
};
