/**
 * Standard Webhooks' symmetric signature: HMAC-SHA256 over `id.timestamp.body`
 * with the decoded `whsec_` key, sent as `webhook-signature: v1,<base64>`.
 * The body signed is the exact string posted.
 */

/** The headers of one delivery attempt; `timestamp` is the attempt's, in whole seconds. */
export interface SignedHeaders {
	"webhook-id": string;
	"webhook-timestamp": string;
	"webhook-signature": string;
}

const encoder = new TextEncoder();
const keys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

/**
 * @example
 * await signature(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}')
 * // "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
 */
export async function signature(key: Uint8Array, id: string, timestampSeconds: number, body: string): Promise<string> {
	const mac = await crypto.subtle.sign("HMAC", await hmacKey(key), encoder.encode(`${id}.${timestampSeconds}.${body}`));
	return `v1,${base64(new Uint8Array(mac))}`;
}

/** The three webhook headers for posting `body` as message `id` at `nowMs`. */
export async function signedHeaders(key: Uint8Array, id: string, nowMs: number, body: string): Promise<SignedHeaders> {
	const timestamp = Math.floor(nowMs / 1000);
	return {
		"webhook-id": id,
		"webhook-timestamp": String(timestamp),
		"webhook-signature": await signature(key, id, timestamp, body),
	};
}

function hmacKey(key: Uint8Array): Promise<CryptoKey> {
	let imported = keys.get(key);
	if (!imported) {
		imported = crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
		keys.set(key, imported);
	}
	return imported;
}

function base64(bytes: Uint8Array): string {
	let binary = "";
	for (const byte of bytes) binary += String.fromCharCode(byte);
	return btoa(binary);
}
