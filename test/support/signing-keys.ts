import type { JwtClaims } from "../../src/auth/jwt";

/**
 * Fixed private signing keys for tests, made once with `npm run keys:generate`
 * (kids renamed). Test-only: they sign nothing anywhere else. Plain data (type
 * imports only), so vitest.config.ts (Node) and workerd tests share it.
 */

/** P-256. */
export const ES256_KEY = {
	kty: "EC",
	crv: "P-256",
	x: "53LJoLQBX93APq2KjjSV2tWwEupdjEZvrRE69Q4HPzk",
	y: "eXKc_ycaZpZaLAi-Ztiul8x_OHRkzgKII32p1doioJE",
	d: "OgDzHBMlha7ewQzdykWwDR3jnz2qwB6U1EGpPz7voSk",
	kid: "test-key-1",
	alg: "ES256",
	use: "sig",
} as const;

/** Ed25519; the last key of the suite's set, so it signs the suite's tokens. */
export const EDDSA_KEY = {
	kty: "OKP",
	crv: "Ed25519",
	x: "Bt-cRKEU7-IxCExYfFsVxQBXH1WvGyH-YODrvhcF4iI",
	d: "n1KwxsP5DptHKQbqUqb8cc4mwUVr1YjK22AsGfAEMJ4",
	kid: "test-key-2",
	alg: "EdDSA",
	use: "sig",
} as const;

/** Ed25519, in no set the suite runs with: the next key of a rotation. */
export const NEXT_KEY = {
	kty: "OKP",
	crv: "Ed25519",
	x: "DaFs1iCbSbNh3nOp9DpgXs14ClGq0f3mdj1iwwJbzYY",
	d: "-1PQde_XAd-XuF01AwtanYSbzLPPYMIHhEEbYjuHkws",
	kid: "test-key-3",
	alg: "EdDSA",
	use: "sig",
} as const;

/** Ed25519, in no set at all: a stranger's key. */
export const FOREIGN_KEY = {
	kty: "OKP",
	crv: "Ed25519",
	x: "8e3b-Ll6OZb9s76Gv-1nD5CjJQ96fxoJBVXPggxNEps",
	d: "Jqd1ePHlJwCfmQX_zY1ouUFhouaPM7aQscPhmH7AtTY",
	kid: "test-key-4",
	alg: "EdDSA",
	use: "sig",
} as const;

/** A JWT_SIGNING_KEYS value holding `keys`, in this order. */
export const keySet = (...keys: object[]) => JSON.stringify({ keys });

/** JWT_SIGNING_KEYS of the workers suite (vitest.config.ts): both algorithms, the Ed25519 key signing. */
export const TEST_SIGNING_KEYS = keySet(ES256_KEY, EDDSA_KEY);

/** The claims of an access token issued at ACCESS_IAT (seconds) for the default issuer and audience. */
export const ACCESS_IAT = 1_900_000_000;
export const ACCESS_CLAIMS: JwtClaims = {
	sub: "42",
	sid: "s",
	use: "access",
	iat: ACCESS_IAT,
	exp: ACCESS_IAT + 900,
	jti: "j",
	iss: "edge-verify",
	aud: "edge-verify-api",
};
