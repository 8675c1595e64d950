/**
 * Checks `X-Twilio-Signature` the way Twilio's own helper library does
 * (https://www.twilio.com/docs/usage/webhooks/webhooks-security): HMAC-SHA1,
 * keyed with the auth token, over the full URL followed by every POST
 * parameter as name + value, sorted by name (a repeated name: its distinct
 * values, sorted); base64. Twilio may sign the URL with or without the
 * default port, so both forms are accepted. Comparison is constant-time.
 */
export async function twilioSignatureValid(
	authToken: string,
	signature: string | undefined | null,
	url: string,
	params: URLSearchParams,
): Promise<boolean> {
	if (!signature) return false;
	const key = await hmacKey(authToken);
	const given = encoder.encode(signature);
	let valid = false;
	// Every form is checked, whatever the outcome of the first: the time taken never depends on which matched.
	for (const form of urlForms(url)) {
		const expected = encoder.encode(await sign(key, form, params));
		const same = expected.byteLength === given.byteLength && crypto.subtle.timingSafeEqual(expected, given);
		valid = same || valid;
	}
	return valid;
}

/** The signature Twilio would send for this request; tests use it to sign their callbacks. */
export async function twilioSignature(authToken: string, url: string, params: URLSearchParams): Promise<string> {
	const key = await hmacKey(authToken);
	return sign(key, url, params);
}

const encoder = new TextEncoder();

const hmacKey = (authToken: string) =>
	crypto.subtle.importKey("raw", encoder.encode(authToken), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);

async function sign(key: CryptoKey, url: string, params: URLSearchParams): Promise<string> {
	let data = url;
	for (const name of [...new Set(params.keys())].sort(byCodeUnit)) {
		for (const value of [...new Set(params.getAll(name))].sort(byCodeUnit)) data += name + value;
	}
	const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(data));
	return btoa(String.fromCharCode(...new Uint8Array(mac)));
}

/** The URL with the scheme's default port spelled out, and without any port (as twilio-node's validateRequest). */
function urlForms(url: string): [string, string] {
	const parsed = new URL(url);
	const withoutPort = new URL(url);
	withoutPort.port = "";
	if (parsed.port) return [parsed.toString(), withoutPort.toString()];
	const port = parsed.protocol === "https:" ? "443" : "80";
	const withPort = `${parsed.protocol}//${parsed.host}:${port}${parsed.pathname}${parsed.search}`;
	return [withPort, withoutPort.toString()];
}

/** JavaScript's default sort, spelled out: UTF-16 code units, as twilio-node sorts. */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
