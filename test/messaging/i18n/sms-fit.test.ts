import { describe, expect, it } from "vitest";
import { APP_NAME_MAX_UNITS, AUTOFILL_HOST_MAX_LENGTH } from "../../../src/config/messages-env";
import { LOCALES, type Locale, smsSegments, smsText } from "../../../src/messaging/i18n";

// Every template at the caps config allows: the longest APP_NAME, the longest
// host, a six-digit code, and the TTL whose words are longest in that language.
const APP = "W".repeat(APP_NAME_MAX_UNITS);
const HOST = `${"h".repeat(AUTOFILL_HOST_MAX_LENGTH - 4)}.com`;
const CODE = "987654";
const HASH = "FA+9qCX9VSu";
const PURPOSES = ["register", "reset"] as const;
/** Every TTL OTP_TTL_SECONDS accepts (30 s to 1 h). */
const TTLS = Array.from({ length: 3600 - 30 + 1 }, (_, i) => (30 + i) * 1000);

function longest(locale: Locale, purpose: (typeof PURPOSES)[number], host?: string, androidHash?: string) {
	let worst = "";
	for (const ttlMs of TTLS) {
		const text = smsText({ appName: APP, code: CODE, ttlMs, purpose, locale, host, androidHash });
		if (smsSegments(text).units > smsSegments(worst).units || worst === "") worst = text;
	}
	return worst;
}

describe("every SMS template fits one segment at the caps", () => {
	it("caps what it says it caps", () => {
		expect(HOST).toHaveLength(AUTOFILL_HOST_MAX_LENGTH);
		expect(APP).toHaveLength(APP_NAME_MAX_UNITS);
	});

	for (const locale of LOCALES)
		for (const purpose of PURPOSES)
			for (const hash of [undefined, HASH])
				for (const host of [HOST, undefined])
					it(`${locale} ${purpose}${hash ? " + Android hash" : ""}${host ? " + autofill line" : ""}`, () => {
						const text = longest(locale, purpose, host, hash);
						const { segments, units, encoding } = smsSegments(text);
						expect(segments, `${encoding}, ${units} units: ${JSON.stringify(text)}`).toBe(1);
						const lines = text.split("\n");
						if (host) expect(lines.at(-1)).toBe(`@${HOST} #${CODE}`);
						else expect(text).not.toContain("@");
						if (hash) expect(lines.at(host ? -2 : -1)).toBe(HASH);
						expect(lines[0]).toContain(CODE);
					});
});
