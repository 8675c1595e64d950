import { describe, expect, it } from "vitest";
import { LOCALES, type Locale, voiceTwiml } from "../../../src/messaging/i18n";

interface Say {
	attrs: Record<string, string>;
	text: string;
}

/**
 * A strict reader for the TwiML we write: the XML declaration, then elements
 * with double-quoted attributes, every tag closed in order, text without a raw
 * `<` or `&`. Throws on anything else; returns the <Say> elements and the order
 * of the verbs.
 */
function readTwiml(xml: string): { verbs: string[]; says: Say[] } {
	const decl = '<?xml version="1.0" encoding="UTF-8"?>';
	if (!xml.startsWith(decl)) throw new Error("no XML declaration");
	const token = /<(\/?)([A-Za-z]+)((?:\s+[A-Za-z]+="[^"<&]*")*)\s*(\/?)>|([^<]+)/gy;
	const stack: string[] = [];
	const verbs: string[] = [];
	const says: Say[] = [];
	token.lastIndex = decl.length;
	let end = decl.length;
	for (let m = token.exec(xml); m; m = token.exec(xml)) {
		end = token.lastIndex;
		const [, closing, name, attrText, selfClosing, text] = m;
		if (text !== undefined) {
			if (/&(?!#\d+;|amp;|lt;|gt;|quot;|apos;)/.test(text)) throw new Error(`raw & in ${text}`);
			if (stack.at(-1) === "Say") (says.at(-1) as Say).text += decode(text);
			else if (text.trim()) throw new Error(`text outside <Say>: ${text}`);
			continue;
		}
		if (closing) {
			if (stack.pop() !== name) throw new Error(`</${name}> closes nothing open`);
			continue;
		}
		if (stack.length === 0 && name !== "Response") throw new Error(`root is ${name}`);
		if (stack.length > 0) verbs.push(name as string);
		const attrs = Object.fromEntries(
			[...(attrText ?? "").matchAll(/([A-Za-z]+)="([^"]*)"/g)].map((a) => [a[1], decode(a[2] as string)]),
		);
		if (name === "Say") says.push({ attrs, text: "" });
		if (!selfClosing) stack.push(name as string);
	}
	if (end !== xml.length || stack.length > 0) throw new Error("not well-formed");
	return { verbs, says };
}

function decode(s: string): string {
	return s
		.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
		.replace(/&(amp|lt|gt|quot|apos);/g, (_, e) => ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" })[e as "amp"]);
}

const SAY_LANGUAGES: Record<Locale, string> = {
	en: "en-US",
	es: "es-US",
	pt: "pt-BR",
	fr: "fr-FR",
	de: "de-DE",
	hi: "hi-IN",
	id: "id-ID",
	ar: "ar-XA",
	tr: "tr-TR",
	ru: "ru-RU",
};

describe("voiceTwiml", () => {
	it("is checked by a reader that refuses what is not well-formed", () => {
		const decl = '<?xml version="1.0" encoding="UTF-8"?>';
		for (const bad of [
			"<Response></Response>",
			`${decl}<Response><Say>a & b</Say></Response>`,
			`${decl}<Response><Say>a</Response></Say>`,
			`${decl}<Response><Say language=en>a</Say></Response>`,
			`${decl}<Response><Say>a</Say>`,
			`${decl}<Response>loose</Response>`,
		])
			expect(() => readTwiml(bad), bad).toThrow();
	});

	for (const locale of LOCALES)
		for (const purpose of ["register", "reset"] as const)
			it(`${locale} ${purpose}: well-formed, the digits one by one, twice, in the locale's voice`, () => {
				const { verbs, says } = readTwiml(voiceTwiml({ appName: "Acme", code: "407215", locale, purpose }));
				expect(verbs).toEqual(["Pause", "Say", "Say", "Pause", "Say", "Say"]);
				for (const say of says) {
					expect(say.attrs.language).toBe(SAY_LANGUAGES[locale]);
					expect(say.attrs.voice).toBe(`Google.${SAY_LANGUAGES[locale]}-Standard-${locale === "en" ? "C" : "A"}`);
				}
				expect(says[0]?.text).toContain("Acme");
				const spoken = says.map((s) => s.text).join(" ");
				// Each digit stands alone, and the code is said exactly twice.
				expect(spoken.match(/\d+/g)).toEqual([..."407215", ..."407215"]);
				expect(says[1]?.text).toBe(says[3]?.text);
			});

	it("says a different intro for a reset", () => {
		const intro = (purpose: "register" | "reset") =>
			readTwiml(voiceTwiml({ appName: "Acme", code: "111111", locale: "en", purpose })).says[0]?.text;
		expect(intro("register")).toBe("Your Acme verification code is:");
		expect(intro("reset")).toBe("Your Acme password reset code is:");
	});

	it("escapes the app name", () => {
		const appName = `Tom & Jerry's <b>"Shop"</b>`;
		for (const locale of LOCALES) {
			const xml = voiceTwiml({ appName, code: "123456", locale, purpose: "register" });
			expect(xml).not.toContain("<b>");
			expect(readTwiml(xml).says[0]?.text).toContain(appName);
		}
	});
});
