import type { Texts } from "./texts";

/** Arabic counted nouns, in the genitive that follows خلال: 1, 2, 3–10 (plural), 11–99 (singular accusative). */
function counted(n: number, one: string, two: string, few: string, many: string): string {
	if (n === 1) return one;
	if (n === 2) return two;
	const r = n % 100;
	return `${n} ${r >= 3 && r <= 10 ? few : many}`;
}

// Arabic is outside GSM-7: the SMS are UCS-2 (70 characters); the email is dir="rtl".
export const ar: Texts = {
	dir: "rtl",
	say: { language: "ar-XA", voice: "Google.ar-XA-Standard-A" },
	minutes: (n) => counted(n, "دقيقة واحدة", "دقيقتين", "دقائق", "دقيقة"),
	seconds: (n) => counted(n, "ثانية واحدة", "ثانيتين", "ثوانٍ", "ثانية"),
	sms: {
		register: ({ app, code, short }) => (short ? `رمز التحقق: ${code}` : `رمز التحقق من ${app}: ${code}`),
		reset: ({ app, code, short }) =>
			short ? `رمز استعادة الحساب: ${code}` : `رمز إعادة تعيين كلمة مرور ${app}: ${code}`,
	},
	voice: {
		intro: {
			register: (app) => `رمز التحقق الخاص بك من ${app} هو:`,
			reset: (app) => `رمز إعادة تعيين كلمة مرور ${app} هو:`,
		},
		again: "أكرر:",
		separator: "، ",
	},
	email: {
		subject: (app) => `رمز التحقق من ${app}`,
		codeLine: (app, code) => `رمز التحقق الخاص بك من ${app} هو ${code}.`,
		codeIntro: (app) => `رمز التحقق الخاص بك من ${app} هو:`,
		expires: (expiry) => `تنتهي صلاحيته خلال ${expiry}. أدخله حيث بدأت التسجيل.`,
		ignore: (app) => `إذا لم تحاول التسجيل في ${app}، فتجاهل هذه الرسالة: لن يحدث شيء من دون الرمز.`,
	},
};
