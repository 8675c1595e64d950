import { type JWTHeaderParameters, jwtVerify, SignJWT } from "jose";
import type { SigningAlg } from "../config/config";
import { CLOCK_SKEW_SECONDS, hasRegisteredClaims, type JwtClaims, type VerifyOptions } from "./jwt";
import type { Keyring } from "./keyring";

/**
 * Access tokens: compact JWS signed with the keyring's signing key (EdDSA or
 * ES256), its `kid` in the header, so any service holding the published key
 * set can verify them and none can mint them.
 */

/** The only algorithms an access token may name; HS256 and `none` never verify. */
const ALGORITHMS: SigningAlg[] = ["EdDSA", "ES256"];

/** Signs `claims` with the keyring's signing key. */
export function signAccessToken(ring: Keyring, claims: JwtClaims): Promise<string> {
	const { alg, kid, key } = ring.signer;
	return new SignJWT(claims).setProtectedHeader({ alg, kid, typ: "JWT" }).sign(key);
}

/**
 * The claims of a token signed by a key of the ring, with the algorithm that
 * key was listed with, issued for `issuer`/`audience`, not at or after its
 * `exp` and not issued in the future; null for anything else. A token without
 * a `kid`, or with one the ring does not hold, is refused: the key is chosen
 * by `kid` and must match the header's `alg`, so no token chooses its own
 * algorithm (algorithm confusion) or key.
 */
export async function verifyAccessToken(
	ring: Keyring,
	token: string,
	options: Omit<VerifyOptions, "acceptExpired">,
): Promise<JwtClaims | null> {
	const keyFor = (header: JWTHeaderParameters) => {
		const verifier = header.kid === undefined ? undefined : ring.verifiers.get(header.kid);
		if (!verifier || verifier.alg !== header.alg) throw new Error("no key of this kid and alg");
		return verifier.key;
	};
	try {
		const { payload } = await jwtVerify(token, keyFor, {
			algorithms: ALGORITHMS,
			issuer: options.issuer,
			audience: options.audience,
			currentDate: new Date(options.now),
			requiredClaims: ["exp", "iat", "sub", "jti"],
		});
		const claims = payload as Record<string, unknown>;
		if (!hasRegisteredClaims(claims) || claims.aud !== options.audience) return null;
		if (claims.iat > Math.floor(options.now / 1000) + CLOCK_SKEW_SECONDS) return null;
		return claims;
	} catch {
		return null;
	}
}
