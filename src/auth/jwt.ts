/**
 * Compact JWS with HS256 only (RFC 7515, RFC 7519), for refresh tokens: only
 * this service reads them, so a shared secret is enough (access tokens, which
 * other services verify, are signed in access-tokens.ts). Only HS256 is ever
 * accepted: the header must say exactly that, so `alg: none` and algorithm
 * confusion (an RS256 public key used as an HMAC secret) are refused before
 * the signature is even checked.
 */

/** Registered claims every token here carries; times in seconds since the epoch. */
export interface JwtClaims {
	sub: string;
	iat: number;
	exp: number;
	jti: string;
	iss: string;
	aud: string;
	[claim: string]: unknown;
}

export interface VerifyOptions {
	issuer: string;
	audience: string;
	/** Milliseconds since the epoch. */
	now: number;
	/**
	 * Also return a token at or after its `exp`, every other check applied:
	 * only to explain why a genuine token stopped working, never to admit it.
	 * @default false
	 */
	acceptExpired?: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HEADER = base64url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const keys = new Map<string, Promise<CryptoKey>>();

/**
 * Signs `claims` with HMAC-SHA256.
 * @example
 * const token = await signJwt({ sub: "42", iat, exp, jti, iss: "edge-verify", aud: "edge-verify-api" }, secret);
 */
export async function signJwt(claims: JwtClaims, secret: string): Promise<string> {
	const input = `${HEADER}.${base64url(encoder.encode(JSON.stringify(claims)))}`;
	const signature = await crypto.subtle.sign("HMAC", await keyFor(secret), encoder.encode(input));
	return `${input}.${base64url(new Uint8Array(signature))}`;
}

/**
 * The claims of a token that is well-formed, HS256, correctly signed with
 * `secret`, issued for `issuer`/`audience`, not before its `iat` and not at or
 * after its `exp`; null for anything else.
 */
export async function verifyJwt(token: string, secret: string, options: VerifyOptions): Promise<JwtClaims | null> {
	const parts = token.split(".");
	if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) return null;
	const [header, payload, signature] = parts as [string, string, string];
	const head = parseJson(header);
	if (head?.alg !== "HS256" || (head.typ !== undefined && head.typ !== "JWT") || "crit" in head) return null;
	const sig = fromBase64url(signature);
	// Canonical encoding only: the unused low bits of the last character must be
	// zero, so a token has exactly one accepted spelling.
	if (sig?.length !== 32 || base64url(sig) !== signature) return null;
	// crypto.subtle.verify compares in constant time.
	const valid = await crypto.subtle.verify("HMAC", await keyFor(secret), sig, encoder.encode(`${header}.${payload}`));
	if (!valid) return null;
	const claims = parseJson(payload);
	if (!claims || !hasRegisteredClaims(claims)) return null;
	const now = Math.floor(options.now / 1000);
	if (claims.iss !== options.issuer || claims.aud !== options.audience) return null;
	if ((now >= claims.exp && !options.acceptExpired) || claims.iat > now + CLOCK_SKEW_SECONDS) return null;
	return claims;
}

/** Tolerated for `iat` only: tokens from an instance whose clock runs slightly ahead. */
export const CLOCK_SKEW_SECONDS = 5;

export function hasRegisteredClaims(c: Record<string, unknown>): c is JwtClaims {
	return (
		typeof c.sub === "string" &&
		typeof c.jti === "string" &&
		typeof c.iss === "string" &&
		typeof c.aud === "string" &&
		Number.isInteger(c.iat) &&
		Number.isInteger(c.exp)
	);
}

function keyFor(secret: string): Promise<CryptoKey> {
	let key = keys.get(secret);
	if (!key) {
		key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
			"sign",
			"verify",
		]);
		keys.set(secret, key);
	}
	return key;
}

function parseJson(segment: string): Record<string, unknown> | null {
	const bytes = fromBase64url(segment);
	if (!bytes) return null;
	try {
		const value: unknown = JSON.parse(decoder.decode(bytes));
		return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
	} catch {
		return null;
	}
}

export function base64url(bytes: Uint8Array): string {
	let binary = "";
	for (const b of bytes) binary += String.fromCharCode(b);
	return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(segment: string): Uint8Array | null {
	try {
		const binary = atob(segment.replace(/-/g, "+").replace(/_/g, "/"));
		return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
	} catch {
		return null;
	}
}
