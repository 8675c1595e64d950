import { describe, expect, it } from "vitest";
import { twilioSignature, twilioSignatureValid } from "../../src/messaging/twilio-signature";

/*
 * Expected signatures were computed with twilio-node 5.13.1's own
 * getExpectedTwilioSignature, and the accept/refuse tables with its
 * validateRequest; `hmac` below recomputes the documented ones from a
 * hand-built string, so neither side leans on the code under test.
 */

/** Twilio's documented example (https://www.twilio.com/docs/usage/webhooks/webhooks-security). */
const TOKEN = "12345";
const URL_ = "https://mycompany.com/myapp.php?foo=1&bar=2";
const PARAMS: [string, string][] = [
	["CallSid", "CA1234567890ABCDE"],
	["Caller", "+14158675310"],
	["Digits", "1234"],
	["From", "+14158675310"],
	["To", "+18005551212"],
];
const SIGNATURE = "GvWf1cFY/Q7PnoempGyD5oXAezc=";

const params = (entries: [string, string][] = PARAMS) => new URLSearchParams(entries);

/** HMAC-SHA1 of `data` keyed with `key`, base64: written out independently of src. */
async function hmac(key: string, data: string): Promise<string> {
	const enc = new TextEncoder();
	const k = await crypto.subtle.importKey("raw", enc.encode(key), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
	const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, enc.encode(data)));
	let binary = "";
	for (const byte of mac) binary += String.fromCharCode(byte);
	return btoa(binary);
}

describe("twilioSignature", () => {
	it("reproduces Twilio's documented example", async () => {
		// The data Twilio signs: the URL, then each name+value, names sorted.
		const data = `${URL_}CallSidCA1234567890ABCDECaller+14158675310Digits1234From+14158675310To+18005551212`;
		expect(await hmac(TOKEN, data)).toBe(SIGNATURE);
		expect(await twilioSignature(TOKEN, URL_, params())).toBe(SIGNATURE);
	});

	it("reproduces Twilio's older documented example (other caller)", async () => {
		const older = PARAMS.map(([k, v]): [string, string] => [k, v === "+14158675310" ? "+12349013030" : v]);
		expect(await twilioSignature(TOKEN, URL_, params(older))).toBe("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
	});

	it("does not depend on the order the parameters arrive in", async () => {
		expect(await twilioSignature(TOKEN, URL_, params([...PARAMS].reverse()))).toBe(SIGNATURE);
	});

	it("signs the URL alone when there are no parameters", async () => {
		expect(await twilioSignature(TOKEN, URL_, new URLSearchParams())).toBe("zYQTYrRWXE7LtzbG4PfP7/bkkGo=");
		expect(await hmac(TOKEN, URL_)).toBe("zYQTYrRWXE7LtzbG4PfP7/bkkGo=");
	});

	it("a repeated name: each distinct value once, values sorted, each prefixed by the name", async () => {
		const expected = "ytmAMuSXaulf9d0XIIRUTFHxeqg=";
		expect(await hmac(TOKEN, `${URL_}ayazb2`)).toBe(expected);
		const repeated = params([
			["b", "2"],
			["a", "z"],
			["a", "y"],
			["a", "y"],
		]);
		expect(await twilioSignature(TOKEN, URL_, repeated)).toBe(expected);
		// Any order of arrival, any number of duplicates: the same signature.
		const shuffled = params([
			["a", "y"],
			["b", "2"],
			["a", "z"],
		]);
		expect(await twilioSignature(TOKEN, URL_, shuffled)).toBe(expected);
		expect(await twilioSignatureValid(TOKEN, expected, URL_, shuffled)).toBe(true);
	});

	it("sorts names by UTF-16 code unit, not by locale or code point", async () => {
		// Code-unit order: B Z _ a aa é 😀 (U+D83D…) Ａ (U+FF21). Code-point order would put Ａ before 😀;
		// localeCompare would put a before B.
		const names: [string, string][] = [
			["a", "1"],
			["B", "2"],
			["_", "3"],
			["Z", "4"],
			["é", "5"],
			["aa", "6"],
			["😀", "7"],
			["\uFF21", "8"],
		];
		const expected = "0mbsV/qrhm4LzZ1az+g7HBEInRk=";
		expect(await hmac(TOKEN, `${URL_}B2Z4_3a1aa6é5😀7\uFF218`)).toBe(expected);
		expect(await twilioSignature(TOKEN, URL_, params(names))).toBe(expected);
	});

	it("sorts the values of a repeated name by UTF-16 code unit", async () => {
		const values = ["b", "B", "a", "😀", "\uFF21"].map((v): [string, string] => ["v", v]);
		const expected = "S4byDKussQNDWFjo1dNmPxKkwBU=";
		expect(await hmac(TOKEN, `${URL_}vBvavbv😀v\uFF21`)).toBe(expected);
		expect(await twilioSignature(TOKEN, URL_, params(values))).toBe(expected);
	});

	it("signs the UTF-8 bytes of non-ASCII values", async () => {
		expect(await twilioSignature(TOKEN, URL_, params([["Body", "héllo ✓ 😀"]]))).toBe("JQZ8zfkkSh1dFCp3hrs3KjmPav8=");
	});
});

describe("twilioSignatureValid", () => {
	const valid = (signature: string | null | undefined, url = URL_, p = params(), token = TOKEN) =>
		twilioSignatureValid(token, signature, url, p);

	it("accepts Twilio's documented example", async () => {
		expect(await valid(SIGNATURE)).toBe(true);
	});

	it("refuses the right signature under another auth token", async () => {
		expect(await valid(SIGNATURE, URL_, params(), "12346")).toBe(false);
		expect(await valid(await twilioSignature("other", URL_, params()))).toBe(false);
	});

	it("refuses a tampered parameter value", async () => {
		const tampered = params();
		tampered.set("Digits", "1235");
		expect(await valid(SIGNATURE, URL_, tampered)).toBe(false);
	});

	it("refuses an added parameter", async () => {
		const added = params();
		added.append("MessageStatus", "delivered");
		expect(await valid(SIGNATURE, URL_, added)).toBe(false);
		// Also a second value for a name already signed.
		const again = params();
		again.append("To", "+18005551213");
		expect(await valid(SIGNATURE, URL_, again)).toBe(false);
	});

	it("refuses a removed parameter", async () => {
		const removed = params();
		removed.delete("Caller");
		expect(await valid(SIGNATURE, URL_, removed)).toBe(false);
	});

	it("refuses a missing or empty signature", async () => {
		expect(await valid(undefined)).toBe(false);
		expect(await valid(null)).toBe(false);
		expect(await valid("")).toBe(false);
		// The signature of an empty request is no key to this one.
		expect(await valid(await twilioSignature(TOKEN, URL_, new URLSearchParams()))).toBe(false);
	});

	it("refuses a signature that is nearly right: truncated, extended, or one character off", async () => {
		expect(await valid(SIGNATURE.slice(0, -1))).toBe(false);
		expect(await valid(SIGNATURE.slice(0, 10))).toBe(false);
		expect(await valid(`${SIGNATURE}=`)).toBe(false);
		expect(await valid(`${SIGNATURE} `)).toBe(false);
		expect(await valid(`g${SIGNATURE.slice(1)}`)).toBe(false);
		expect(await valid(SIGNATURE.toLowerCase())).toBe(false);
	});

	it("refuses the signature for another URL: path, query, host or scheme", async () => {
		expect(await valid(SIGNATURE, "https://mycompany.com/myapp.php?foo=1&bar=3")).toBe(false);
		expect(await valid(SIGNATURE, "https://mycompany.com/myapp.php")).toBe(false);
		expect(await valid(SIGNATURE, "https://mycompany.com/other.php?foo=1&bar=2")).toBe(false);
		expect(await valid(SIGNATURE, "https://evil.example/myapp.php?foo=1&bar=2")).toBe(false);
		expect(await valid(SIGNATURE, "http://mycompany.com/myapp.php?foo=1&bar=2")).toBe(false);
	});

	// [URL Twilio signed, URL the request is checked against, twilio-node 5.13.1's validateRequest]
	it.each([
		["https://mycompany.com:443/myapp.php?foo=1&bar=2", "https://mycompany.com/myapp.php?foo=1&bar=2", true],
		["https://mycompany.com/myapp.php?foo=1&bar=2", "https://mycompany.com:443/myapp.php?foo=1&bar=2", true],
		["http://mycompany.com:80/myapp.php", "http://mycompany.com/myapp.php", true],
		["http://mycompany.com/myapp.php", "http://mycompany.com:80/myapp.php", true],
		["https://mycompany.com:8443/myapp.php", "https://mycompany.com:8443/myapp.php", true],
		["https://mycompany.com/myapp.php", "https://mycompany.com:8443/myapp.php", true],
		["https://mycompany.com:8443/myapp.php", "https://mycompany.com/myapp.php", false],
		["https://mycompany.com:443/myapp.php", "https://mycompany.com:8443/myapp.php", false],
		["https://mycompany.com:80/myapp.php", "https://mycompany.com/myapp.php", false],
		["http://mycompany.com:443/myapp.php", "http://mycompany.com/myapp.php", false],
		["https://mycompany.com/myapp.php", "https://MYCOMPANY.com/myapp.php", true],
	])("signed for %s, checked against %s → %s (as twilio-node)", async (signed, checked, expected) => {
		const signature = await twilioSignature(TOKEN, signed, params());
		expect(await valid(signature, checked)).toBe(expected);
	});

	it("accepts Twilio's documented signature when the URL is checked with :443", async () => {
		expect(await valid(SIGNATURE, "https://mycompany.com:443/myapp.php?foo=1&bar=2")).toBe(true);
		// …and a signature made over the :443 form when checked without the port (independently computed).
		const data = `https://mycompany.com:443/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+14158675310Digits1234From+14158675310To+18005551212`;
		const withPort = await hmac(TOKEN, data);
		expect(withPort).toBe("5s2PFy0qmPcZucb4eH4b08ZJtL0=");
		expect(await valid(withPort)).toBe(true);
	});

	it("accepts a repeated name whatever order its values arrive in", async () => {
		const signature = await hmac(TOKEN, `${URL_}ayazb2`);
		const order1 = params([
			["a", "z"],
			["b", "2"],
			["a", "y"],
		]);
		const order2 = params([
			["b", "2"],
			["a", "y"],
			["a", "z"],
			["a", "z"],
		]);
		expect(await valid(signature, URL_, order1)).toBe(true);
		expect(await valid(signature, URL_, order2)).toBe(true);
		// Dropping one of the values is tampering.
		expect(
			await valid(
				signature,
				URL_,
				params([
					["a", "y"],
					["b", "2"],
				]),
			),
		).toBe(false);
	});
});
