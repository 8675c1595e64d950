#!/usr/bin/env node
/**
 * Prints a new private signing key for JWT_SIGNING_KEYS as a JWK (RFC 7517),
 * with a fresh kid: Ed25519 (alg EdDSA) by default, P-256 with `--alg ES256`.
 *   --set          print a whole set, {"keys":[…]}, for a first deployment
 *   --verify-only  mark the key "key_ops":["verify"]: published, never signing (step 1 of a rotation)
 * The key goes to stdout, the instructions to stderr, so
 * `npm run -s keys:generate -- --set > keys.json` captures the key alone.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { exportJWK, generateKeyPair } from "jose";

const { values } = parseArgs({
	options: {
		alg: { type: "string", default: "EdDSA" },
		set: { type: "boolean", default: false },
		"verify-only": { type: "boolean", default: false },
	},
});
const alg = values.alg;
if (alg !== "EdDSA" && alg !== "ES256") {
	console.error("--alg must be EdDSA (Ed25519, the default) or ES256 (P-256)");
	process.exit(2);
}

const { privateKey } = await generateKeyPair(alg, { extractable: true });
const { kty, crv, x, y, d } = await exportJWK(privateKey);
// The date first: kids sort by age, which makes a set easy to read; the random part makes them unique.
const kid = `${new Date().toISOString().slice(0, 10)}-${randomBytes(6).toString("hex")}`;
const jwk = {
	kty,
	crv,
	x,
	...(y ? { y } : {}),
	d,
	kid,
	alg,
	use: "sig",
	...(values["verify-only"] ? { key_ops: ["verify"] } : {}),
};

console.log(JSON.stringify(values.set ? { keys: [jwk] } : jwk));
console.error(
	values.set
		? "A set with this one key: store it with `wrangler secret put JWT_SIGNING_KEYS` (or in .dev.vars)."
		: [
				`Key ${kid}: append it to the "keys" array of JWT_SIGNING_KEYS and store the set again`,
				"(wrangler secret put JWT_SIGNING_KEYS). The LAST key that may sign signs; every key verifies.",
				"To publish it before it signs, append it with --verify-only, then remove its key_ops a",
				"cache period later (README: Tokens, rotation).",
			].join("\n"),
);
