/** What a code is for; a reset code says what it unlocks. */
export type Purpose = "register" | "reset";

export interface SmsVars {
	app: string;
	code: string;
	/** How long the code lives, in the language's words (`5 minutes`). */
	expiry: string;
	/**
	 * The message ends with the autofill line `@host #code`, which names the
	 * site: the UCS-2 languages (70 characters a segment) then drop the app
	 * name and the expiry to fit.
	 */
	short: boolean;
}

/** Every text of one language. Each language's file fills all of it (the compiler checks). */
export interface Texts {
	dir: "ltr" | "rtl";
	/** Twilio `<Say>`: a Google voice and its language, which Twilio speaks for every locale. */
	say: { language: string; voice: string };
	minutes(n: number): string;
	seconds(n: number): string;
	sms: Record<Purpose, (v: SmsVars) => string>;
	voice: {
		/** Said before the digits. */
		intro: Record<Purpose, (app: string) => string>;
		/** Said before the digits the second time. */
		again: string;
		/** Between two digits, so each is said alone. */
		separator: string;
	};
	email: {
		subject(app: string): string;
		/** The plain-text line with the code. */
		codeLine(app: string, code: string): string;
		/** The HTML line above the code shown large. */
		codeIntro(app: string): string;
		/** How long it lives and where to enter it. */
		expires(expiry: string): string;
		/** What to do when it was not expected. */
		ignore(app: string): string;
	};
}
