import { env } from "cloudflare:workers";
import { importJWK, SignJWT } from "jose";
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

/** A private JWK as test/support/signing-keys.ts holds them. */
export interface TestKey {
	kty: string;
	crv: string;
	x: string;
	y?: string;
	d: string;
	kid: string;
	alg: string;
}

/**
 * A compact JWS signed by `key` with its own algorithm; the header names the
 * key's `kid` unless `header` says otherwise (`kid: undefined` leaves it out).
 */
export async function signWith(key: TestKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
	const { kty, crv, x, y, d, alg, kid } = key;
	const privateKey = await importJWK({ kty, crv, x, d, ...(y ? { y } : {}) }, alg);
	const protectedHeader = JSON.parse(JSON.stringify({ alg, kid, typ: "JWT", ...header }));
	return new SignJWT(claims).setProtectedHeader(protectedHeader).sign(privateKey);
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
