import type { TokenConfig } from "../config/config";
import { signAccessToken, verifyAccessToken } from "./access-tokens";
import { base64url, signJwt, verifyJwt } from "./jwt";
import { keyringFor } from "./keyring";

/** What a client receives on login, refresh and (optionally) registration. */
export interface TokenPair {
	accessToken: string;
	refreshToken: string;
	tokenType: "Bearer";
	/** Seconds until the access token expires. */
	expiresIn: number;
}

/** What a verified token says: whose it is and which session (refresh-token family) it belongs to. */
export interface SessionClaims {
	customerId: number;
	sessionId: string;
	jti: string;
}

type Use = "access" | "refresh";

export interface SignOptions {
	/** The token's id, when it had to be known (and stored) before signing. @default a new {@link randomId} */
	jti?: string;
	/** The token expires at this instant at the latest (milliseconds). @default no cap */
	notAfterMs?: number;
}

/** A random id with 128 bits of entropy, base64url. */
export function randomId(): string {
	return base64url(crypto.getRandomValues(new Uint8Array(16)));
}

/** SHA-256 of a refresh token's id, as stored: a database leak yields no usable token id. */
export async function hashTokenId(jti: string): Promise<string> {
	return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(jti))));
}

/**
 * When a token of `use` issued at `nowMs` expires, in milliseconds: its
 * lifetime, but never after `notAfterMs` (a session's end), in whole seconds
 * as the JWT `exp` counts.
 */
export function tokenExpiresAt(t: TokenConfig, use: Use, nowMs: number, notAfterMs = Number.POSITIVE_INFINITY): number {
	const exp = Math.floor(nowMs / 1000) + (use === "access" ? t.accessTtlSeconds : t.refreshTtlSeconds);
	return Math.min(exp, Math.floor(notAfterMs / 1000)) * 1000;
}

/**
 * Signs a token for `use`: an access token with the signing key of
 * JWT_SIGNING_KEYS (EdDSA or ES256), a refresh token with HS256 under
 * JWT_REFRESH_SECRET. Different algorithms, keys and a `use` claim: neither
 * can ever stand in for the other.
 */
export async function signSessionToken(
	t: TokenConfig,
	use: Use,
	customerId: number,
	sessionId: string,
	nowMs: number,
	options: SignOptions = {},
): Promise<{ token: string; jti: string; expiresAt: number }> {
	const iat = Math.floor(nowMs / 1000);
	const exp = tokenExpiresAt(t, use, nowMs, options.notAfterMs) / 1000;
	const jti = options.jti ?? randomId();
	const claims = { sub: String(customerId), sid: sessionId, use, iat, exp, jti, iss: t.issuer, aud: t.audience };
	const token =
		use === "access" ? await signAccessToken(await keyringFor(t), claims) : await signJwt(claims, t.refreshSecret);
	return { token, jti, expiresAt: exp * 1000 };
}

/**
 * The claims of a valid token of this `use`, or null (malformed, tampered,
 * expired, foreign). With `acceptExpired` (refresh tokens only), an expired
 * but genuine token's claims too: for explaining a refusal only.
 */
export async function readSessionToken(
	t: TokenConfig,
	use: Use,
	token: string,
	nowMs: number,
	{ acceptExpired = false }: { acceptExpired?: boolean } = {},
): Promise<SessionClaims | null> {
	const options = { issuer: t.issuer, audience: t.audience, now: nowMs };
	const claims =
		use === "access"
			? await verifyAccessToken(await keyringFor(t), token, options)
			: await verifyJwt(token, t.refreshSecret, { ...options, acceptExpired });
	if (!claims || claims.use !== use || typeof claims.sid !== "string" || !/^[1-9]\d{0,15}$/.test(claims.sub))
		return null;
	return { customerId: Number(claims.sub), sessionId: claims.sid, jti: claims.jti };
}
