import { afterEach, describe, expect, it, vi } from "vitest";
import { signAccessToken, verifyAccessToken } from "../../src/auth/access-tokens";
import { keyringFor } from "../../src/auth/keyring";
import { parseConfig, type TokenConfig } from "../../src/config/config";
import { ApiError } from "../../src/errors/errors";
import { development } from "../support/config-fixtures";
import { captureLogs } from "../support/log-capture";
import {
	ACCESS_CLAIMS as CLAIMS,
	EDDSA_KEY,
	ES256_KEY,
	FOREIGN_KEY,
	ACCESS_IAT as IAT,
	keySet,
	NEXT_KEY,
} from "../support/signing-keys";
import { decode } from "../support/tokens";

const OPTIONS = { issuer: CLAIMS.iss, audience: CLAIMS.aud, now: IAT * 1000 };

const tokensOf = (keys?: string): TokenConfig => parseConfig(development({ JWT_SIGNING_KEYS: keys })).tokens;
const sign = async (t: TokenConfig) => signAccessToken(await keyringFor(t), CLAIMS);
const verify = async (t: TokenConfig, token: string) => verifyAccessToken(await keyringFor(t), token, OPTIONS);
const published = async (t: TokenConfig) => JSON.parse((await keyringFor(t)).jwks.body).keys as { kid: string }[];

afterEach(() => vi.restoreAllMocks());

describe("rotation", () => {
	it("publish, switch signing, drop: old tokens verify until their key is removed", async () => {
		const before = tokensOf(keySet(EDDSA_KEY));
		const old = await sign(before);
		expect(decode(old).header.kid).toBe(EDDSA_KEY.kid);

		// 1. The new key is published but may not sign yet.
		const published1 = tokensOf(keySet(EDDSA_KEY, { ...NEXT_KEY, key_ops: ["verify"] }));
		expect((await published(published1)).map((k) => k.kid)).toEqual([EDDSA_KEY.kid, NEXT_KEY.kid]);
		expect(decode(await sign(published1)).header.kid).toBe(EDDSA_KEY.kid);
		expect(await verify(published1, old)).toEqual(CLAIMS);

		// 2. A cache period later its key_ops go: the last key signs; the old key still verifies.
		const switched = tokensOf(keySet(EDDSA_KEY, NEXT_KEY));
		const fresh = await sign(switched);
		expect(decode(fresh).header.kid).toBe(NEXT_KEY.kid);
		expect(await verify(switched, old)).toEqual(CLAIMS);
		expect(await verify(switched, fresh)).toEqual(CLAIMS);
		// A verifier still holding the step-1 set verifies the new key's tokens.
		expect(await verify(published1, fresh)).toEqual(CLAIMS);

		// 3. One access-token lifetime later the old key goes: its tokens are refused.
		const after = tokensOf(keySet(NEXT_KEY));
		expect(await verify(after, old)).toBeNull();
		expect(await verify(after, fresh)).toEqual(CLAIMS);
		expect((await published(after)).map((k) => k.kid)).toEqual([NEXT_KEY.kid]);
	});

	it("the last key that may sign signs, wherever verify-only keys sit", async () => {
		const t = tokensOf(keySet(ES256_KEY, EDDSA_KEY, { ...NEXT_KEY, key_ops: ["verify"] }));
		expect(decode(await sign(t)).header).toMatchObject({ kid: EDDSA_KEY.kid, alg: "EdDSA" });
		const es = tokensOf(keySet(EDDSA_KEY, { ...ES256_KEY, key_ops: ["sign", "verify"] }));
		expect(decode(await sign(es)).header).toMatchObject({ kid: ES256_KEY.kid, alg: "ES256" });
	});
});

describe("importing", () => {
	it("imports a parsed set once: the same keyring for the same config", async () => {
		const t = tokensOf(keySet(EDDSA_KEY));
		expect(keyringFor(t)).toBe(keyringFor(t));
		expect(await keyringFor(t)).toBe(await keyringFor({ ...t }));
		expect(keyringFor(tokensOf(keySet(EDDSA_KEY)))).not.toBe(keyringFor(t));
	});

	it("refuses a key whose public part is not its private part's, naming its position only", async () => {
		const t = tokensOf(keySet(EDDSA_KEY, { ...NEXT_KEY, x: FOREIGN_KEY.x }));
		const error = await keyringFor(t).then(
			() => null,
			(err: unknown) => err,
		);
		expect(error).toBeInstanceOf(ApiError);
		expect((error as ApiError).code).toBe("CONFIGURATION_ERROR");
		const problem = ((error as ApiError).cause as Error).message;
		expect(problem).toContain("JWT_SIGNING_KEYS key 2 ");
		for (const value of [NEXT_KEY.d, FOREIGN_KEY.x, NEXT_KEY.kid]) expect(problem).not.toContain(value);
	});

	it("refuses a P-256 point that is not on the curve", async () => {
		const t = tokensOf(keySet({ ...ES256_KEY, y: ES256_KEY.x }));
		await expect(keyringFor(t)).rejects.toMatchObject({ code: "CONFIGURATION_ERROR" });
	});
});

describe("without JWT_SIGNING_KEYS (outside production)", () => {
	it("generates one Ed25519 key per isolate, logs its kid and never the key", async () => {
		const logs = captureLogs();
		const t = tokensOf(undefined);
		expect(t.signingKeys).toBeUndefined();
		const ring = await keyringFor(t);
		expect(await keyringFor(tokensOf(""))).toBe(ring);
		const token = await sign(t);
		expect(decode(token).header).toMatchObject({ alg: "EdDSA", kid: ring.signer.kid });
		expect(await verify(t, token)).toEqual(CLAIMS);
		expect(await verify(tokensOf(keySet(EDDSA_KEY)), token)).toBeNull();
		const [jwk] = JSON.parse(ring.jwks.body).keys;
		expect(Object.keys(jwk).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x"]);
		const lines = logs.events("signing_key_generated");
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatchObject({ level: "warn", kid: ring.signer.kid });
		expect(JSON.stringify(logs.calls())).not.toMatch(/"d"/);
	});
});
