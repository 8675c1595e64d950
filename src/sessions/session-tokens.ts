import type { TokenConfig } from "../config/config";
import { base64url, signJwt, verifyJwt } from "../tokens/jwt";

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

/** A random id with 128 bits of entropy, base64url. */
export function randomId(): string {
	return base64url(crypto.getRandomValues(new Uint8Array(16)));
}

/** SHA-256 of a refresh token's id, as stored: a database leak yields no usable token id. */
export async function hashTokenId(jti: string): Promise<string> {
	return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(jti))));
}

/**
 * Signs a token for `use`. Access and refresh tokens have different secrets
 * and a `use` claim, so neither can ever stand in for the other.
 */
export async function signSessionToken(
	t: TokenConfig,
	use: Use,
	customerId: number,
	sessionId: string,
	nowMs: number,
): Promise<{ token: string; jti: string; expiresAt: number }> {
	const iat = Math.floor(nowMs / 1000);
	const exp = iat + (use === "access" ? t.accessTtlSeconds : t.refreshTtlSeconds);
	const jti = randomId();
	const claims = { sub: String(customerId), sid: sessionId, use, iat, exp, jti, iss: t.issuer, aud: t.audience };
	const token = await signJwt(claims, use === "access" ? t.accessSecret : t.refreshSecret);
	return { token, jti, expiresAt: exp * 1000 };
}

/** The claims of a valid token of this `use`, or null (malformed, tampered, expired, foreign). */
export async function readSessionToken(
	t: TokenConfig,
	use: Use,
	token: string,
	nowMs: number,
): Promise<SessionClaims | null> {
	const secret = use === "access" ? t.accessSecret : t.refreshSecret;
	const claims = await verifyJwt(token, secret, { issuer: t.issuer, audience: t.audience, now: nowMs });
	if (!claims || claims.use !== use || typeof claims.sid !== "string" || !/^[1-9]\d{0,15}$/.test(claims.sub))
		return null;
	return { customerId: Number(claims.sub), sessionId: claims.sid, jti: claims.jti };
}
