import { describe, expect, it } from "vitest";
import { signAccessToken, verifyAccessToken } from "../../src/auth/access-tokens";
import { keyringFor } from "../../src/auth/keyring";
import { parseConfig } from "../../src/config/config";
import { development } from "../support/config-fixtures";
import {
	ACCESS_CLAIMS as CLAIMS,
	EDDSA_KEY,
	ES256_KEY,
	FOREIGN_KEY,
	ACCESS_IAT as IAT,
	keySet,
	TEST_SIGNING_KEYS,
} from "../support/signing-keys";
import { b64json, forge, signWith, tokens, withPayload } from "../support/tokens";

const { iss: ISS, aud: AUD } = CLAIMS;
const options = (seconds = IAT) => ({ issuer: ISS, audience: AUD, now: seconds * 1000 });

const ringOf = (keys: string) => keyringFor(parseConfig(development({ JWT_SIGNING_KEYS: keys })).tokens);
const suiteRing = () => keyringFor(tokens());
const verify = async (token: string, seconds = IAT) => verifyAccessToken(await suiteRing(), token, options(seconds));

describe("signing", () => {
	it("signs with the last key of the set, naming its kid and alg; the claims come back unchanged", async () => {
		const token = await signAccessToken(await suiteRing(), CLAIMS);
		const header = JSON.parse(atob((token.split(".")[0] as string).replace(/-/g, "+").replace(/_/g, "/")));
		expect(header).toEqual({ alg: "EdDSA", kid: EDDSA_KEY.kid, typ: "JWT" });
		expect(await verify(token)).toEqual(CLAIMS);
	});

	it("ES256 keys sign and verify too", async () => {
		const ring = await ringOf(keySet(EDDSA_KEY, ES256_KEY));
		const token = await signAccessToken(ring, CLAIMS);
		expect(token.split(".")[0]).toBe(b64json({ alg: "ES256", kid: ES256_KEY.kid, typ: "JWT" }));
		expect(await verifyAccessToken(ring, token, options())).toEqual(CLAIMS);
		// Every key of a set verifies, whichever signs.
		expect(await verify(token)).toEqual(CLAIMS);
	});

	it("a token signed by hand with a listed key verifies (the forging helper is faithful)", async () => {
		expect(await verify(await signWith(EDDSA_KEY, CLAIMS))).toEqual(CLAIMS);
		expect(await verify(await signWith(ES256_KEY, CLAIMS))).toEqual(CLAIMS);
	});
});

describe("other algorithms are refused", () => {
	it("HS256, with any secret: the refresh secret, or the public key itself (algorithm confusion)", async () => {
		const header = { alg: "HS256", typ: "JWT", kid: EDDSA_KEY.kid };
		const { refreshSecret } = tokens();
		expect(await verify(await forge(header, CLAIMS, refreshSecret))).toBeNull();
		// An attacker holding only the published key tries it as an HMAC secret, in every spelling at hand.
		const published = JSON.parse((await suiteRing()).jwks.body).keys[1];
		for (const secret of [JSON.stringify(published), published.x, TEST_SIGNING_KEYS])
			expect(await verify(await forge(header, CLAIMS, secret))).toBeNull();
		expect(await verify(await forge({ alg: "HS256" }, CLAIMS, refreshSecret))).toBeNull();
	});

	it("alg none, with or without a signature", async () => {
		for (const alg of ["none", "None", "NONE"]) {
			const unsigned = `${b64json({ alg, kid: EDDSA_KEY.kid })}.${b64json(CLAIMS)}`;
			expect(await verify(`${unsigned}.`)).toBeNull();
			expect(await verify(`${unsigned}.${(await signWith(EDDSA_KEY, CLAIMS)).split(".")[2]}`)).toBeNull();
		}
	});

	it("a header alg other than the one its kid was listed with", async () => {
		// EdDSA-signed, but the header names the ES256 key's kid.
		expect(await verify(await signWith(EDDSA_KEY, CLAIMS, { kid: ES256_KEY.kid }))).toBeNull();
		// The ES256 key's signature under an EdDSA key's kid.
		expect(await verify(await signWith(ES256_KEY, CLAIMS, { kid: EDDSA_KEY.kid }))).toBeNull();
	});
});

describe("keys and claims", () => {
	it("refuses an unknown kid and a token without one", async () => {
		expect(await verify(await signWith(FOREIGN_KEY, CLAIMS))).toBeNull();
		// A stranger's key under a listed kid fails on the signature.
		expect(await verify(await signWith(FOREIGN_KEY, CLAIMS, { kid: EDDSA_KEY.kid }))).toBeNull();
		expect(await verify(await signWith(EDDSA_KEY, CLAIMS, { kid: undefined }))).toBeNull();
		expect(await verify(await signWith(EDDSA_KEY, CLAIMS, { kid: "" }))).toBeNull();
	});

	it("refuses a changed payload or signature", async () => {
		const token = await signWith(EDDSA_KEY, CLAIMS);
		expect(await verify(withPayload(token, { ...CLAIMS, sub: "43" }))).toBeNull();
		const signature = token.split(".")[2] as string;
		const flipped = `${signature.slice(0, 5)}${signature[5] === "A" ? "B" : "A"}${signature.slice(6)}`;
		expect(await verify(token.replace(signature, flipped))).toBeNull();
	});

	it("refuses another issuer or audience", async () => {
		expect(await verify(await signWith(EDDSA_KEY, { ...CLAIMS, iss: "someone-else" }))).toBeNull();
		expect(await verify(await signWith(EDDSA_KEY, { ...CLAIMS, aud: "another-api" }))).toBeNull();
		expect(await verify(await signWith(EDDSA_KEY, { ...CLAIMS, aud: [AUD, "another-api"] }))).toBeNull();
	});

	it("refuses a token at or after exp, and one issued in the future; accepts up to 5 s of clock skew", async () => {
		const token = await signWith(EDDSA_KEY, CLAIMS);
		expect(await verify(token, CLAIMS.exp - 1)).toEqual(CLAIMS);
		expect(await verify(token, CLAIMS.exp)).toBeNull();
		expect(await verify(token, CLAIMS.exp + 3600)).toBeNull();
		expect(await verify(await signWith(EDDSA_KEY, { ...CLAIMS, iat: IAT + 5 }))).not.toBeNull();
		expect(await verify(await signWith(EDDSA_KEY, { ...CLAIMS, iat: IAT + 6 }))).toBeNull();
	});

	it.each(["exp", "iat", "sub", "jti", "iss", "aud"])("refuses a token without %s", async (claim) => {
		const { [claim]: _, ...rest } = CLAIMS;
		expect(await verify(await signWith(EDDSA_KEY, rest))).toBeNull();
	});

	it("refuses a malformed token", async () => {
		for (const token of ["", "a.b", "a.b.c", "a.b.c.d", `${(await signWith(EDDSA_KEY, CLAIMS)).slice(0, -1)}!`])
			expect(await verify(token)).toBeNull();
	});
});
