import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config";
import { configErrorMessage, development, production } from "../support/config-fixtures";
import { EDDSA_KEY, ES256_KEY, keySet, NEXT_KEY } from "../support/signing-keys";

const { d: _d, ...PUBLIC_ONLY } = EDDSA_KEY;

describe("JWT_SIGNING_KEYS", () => {
	it("reads every key; the last one that may sign signs", () => {
		const { signingKeys } = parseConfig(development({ JWT_SIGNING_KEYS: keySet(ES256_KEY, EDDSA_KEY) })).tokens;
		expect(signingKeys?.keys.map((k) => [k.kid, k.alg, k.signs])).toEqual([
			[ES256_KEY.kid, "ES256", true],
			[EDDSA_KEY.kid, "EdDSA", true],
		]);
		expect(signingKeys?.signer.kid).toBe(EDDSA_KEY.kid);
		const later = keySet(ES256_KEY, EDDSA_KEY, { ...NEXT_KEY, key_ops: ["verify"] });
		const rotating = parseConfig(development({ JWT_SIGNING_KEYS: later })).tokens.signingKeys;
		expect(rotating?.keys).toHaveLength(3);
		expect(rotating?.signer.kid).toBe(EDDSA_KEY.kid);
	});

	it("keeps only the members that matter (no key_ops, ext or unknown members)", () => {
		const set = keySet({ ...EDDSA_KEY, ext: true, x5c: ["…"], note: "mine" });
		const [key] = parseConfig(development({ JWT_SIGNING_KEYS: set })).tokens.signingKeys?.keys ?? [];
		expect(Object.keys(key ?? {}).sort()).toEqual(["alg", "crv", "d", "kid", "kty", "signs", "x"]);
	});

	it.each([
		["not JSON", "{keys:", "must be a JSON key set"],
		["a bare key", JSON.stringify(EDDSA_KEY), 'must be a JSON object {"keys":[…]} with at least one key'],
		["no keys", keySet(), 'must be a JSON object {"keys":[…]} with at least one key'],
		["a key that is not an object", keySet(EDDSA_KEY, ["x"]), "key 2 is not a JSON object"],
		["a key without kid", keySet({ ...EDDSA_KEY, kid: undefined }), "key 1 needs a kid"],
		["a kid with a space", keySet({ ...EDDSA_KEY, kid: "my key" }), "key 1 needs a kid"],
		["RS256", keySet({ ...EDDSA_KEY, alg: "RS256" }), "key 1 has an alg other than EdDSA or ES256"],
		["HS256 with k", keySet({ kty: "oct", k: "c2VjcmV0", kid: "h", alg: "HS256" }), "key 1 has an alg other"],
		["none", keySet({ ...EDDSA_KEY, alg: "none" }), "key 1 has an alg other than EdDSA or ES256"],
		["no alg", keySet({ ...EDDSA_KEY, alg: undefined }), "key 1 has an alg other than EdDSA or ES256"],
		["a curve not of its alg", keySet({ ...ES256_KEY, alg: "EdDSA" }), "key 1 must have kty OKP and crv Ed25519"],
		["a public key only", keySet(ES256_KEY, PUBLIC_ONLY), "key 2 has no private part (d)"],
		["a short x", keySet({ ...EDDSA_KEY, x: EDDSA_KEY.x.slice(1) }), "key 1 has a malformed x"],
		["an ES256 key without y", keySet({ ...ES256_KEY, y: undefined }), "key 1 has a malformed y"],
		["a y on Ed25519", keySet({ ...EDDSA_KEY, y: ES256_KEY.y }), "key 1 has a y"],
		["use enc", keySet({ ...EDDSA_KEY, use: "enc" }), 'key 1 has a use other than "sig"'],
		["key_ops sign only", keySet({ ...EDDSA_KEY, key_ops: ["sign"] }), "key 1 has key_ops other than"],
		["key_ops encrypt", keySet({ ...EDDSA_KEY, key_ops: ["encrypt", "verify"] }), "key 1 has key_ops other than"],
		["a repeated kid", keySet(EDDSA_KEY, { ...NEXT_KEY, kid: EDDSA_KEY.kid }), "key 2 repeats the kid"],
		["no key that may sign", keySet({ ...EDDSA_KEY, key_ops: ["verify"] }), "has no key that may sign"],
	])("refuses %s, naming the position and never a value", (_, value, problem) => {
		for (const base of [development, production]) {
			const message = configErrorMessage(base({ JWT_SIGNING_KEYS: value }));
			expect(message).toContain(`JWT_SIGNING_KEYS ${problem}`);
			for (const secret of [EDDSA_KEY.d, EDDSA_KEY.x, ES256_KEY.d, ES256_KEY.y, EDDSA_KEY.kid, "my key"])
				expect(message).not.toContain(secret);
		}
	});

	it("is required in production, and optional elsewhere (a key is then generated per isolate)", () => {
		for (const value of [undefined, "", "  "]) {
			expect(configErrorMessage(production({ JWT_SIGNING_KEYS: value }))).toContain(
				"JWT_SIGNING_KEYS must be set in production",
			);
			expect(parseConfig(development({ JWT_SIGNING_KEYS: value })).tokens.signingKeys).toBeUndefined();
		}
		expect(parseConfig(production()).tokens.signingKeys?.signer.kid).toBe(EDDSA_KEY.kid);
	});
});
