import { env } from "cloudflare:workers";
import { base64url } from "../../src/auth/jwt";
import { getConfig } from "../../src/config/config";

/** Decoding and forging tokens. */

export const tokens = () => getConfig(env).tokens;

const encoder = new TextEncoder();

export const b64json = (value: unknown) => base64url(encoder.encode(JSON.stringify(value)));

/** A compact JWS signed by hand with HMAC over `hash`, whatever the header claims. */
export async function forge(header: unknown, payload: unknown, secret: string, hash = "SHA-256"): Promise<string> {
	const input = `${b64json(header)}.${b64json(payload)}`;
	return `${input}.${await hmac(input, secret, hash)}`;
}

export async function hmac(input: string, secret: string, hash = "SHA-256"): Promise<string> {
	const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash }, false, ["sign"]);
	return base64url(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(input))));
}

function decodeSegment(segment: string): Record<string, unknown> {
	const binary = atob(segment.replace(/-/g, "+").replace(/_/g, "/"));
	return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
}

/** Header and claims of a token, unverified. */
export function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
	const [header = "", claims = ""] = token.split(".");
	return { header: decodeSegment(header), claims: decodeSegment(claims) };
}

/** `token` with its payload replaced and its signature kept. */
export function withPayload(token: string, claims: unknown): string {
	const [header, , signature] = token.split(".");
	return `${header}.${b64json(claims)}.${signature}`;
}

/** The session id (`sid`) a token belongs to. */
export const sidOf = (token: string) => String(decode(token).claims.sid);
