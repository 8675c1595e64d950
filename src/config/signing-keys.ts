import { z } from "zod";

/**
 * JWT_SIGNING_KEYS: the private JWK set (RFC 7517) that signs and verifies
 * access tokens, as `{"keys":[…]}`. Every key carries `kid` and `alg`
 * (EdDSA over Ed25519, or ES256 over P-256) and its private part `d`.
 *
 * Which key signs: the LAST key in the array that may sign. A key with
 * `"key_ops":["verify"]` is published and verifies but never signs, so a new
 * key can be published before it signs (README: "Tokens"). Every listed key
 * verifies; a token whose `kid` is not listed is refused.
 *
 * Every message is fixed text naming the key's position, never a value.
 */

export type SigningAlg = "EdDSA" | "ES256";

/** One private key of the set, reduced to the members that matter. */
export interface SigningJwk {
	kid: string;
	alg: SigningAlg;
	kty: "OKP" | "EC";
	crv: "Ed25519" | "P-256";
	x: string;
	/** P-256 only. */
	y?: string;
	d: string;
	/** False for a `"key_ops":["verify"]` key: published and verifying, never signing. */
	signs: boolean;
}

/** The parsed set; `signer` is the key that signs, one of `keys`. */
export interface SigningKeySet {
	keys: SigningJwk[];
	signer: SigningJwk;
}

const CURVES = { EdDSA: { kty: "OKP", crv: "Ed25519" }, ES256: { kty: "EC", crv: "P-256" } } as const;
/** A 32-byte value in unpadded base64url: every coordinate and private scalar of both curves. */
const B64URL_32 = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
const KID = /^[\x21-\x7e]{1,128}$/;
const MAX_KEYS = 20;

/** Reads the set; adds an issue to `ctx` (and returns NEVER) for anything wrong. */
export function parseSigningKeys(raw: string, ctx: z.RefinementCtx): SigningKeySet {
	const fail = (message: string) => {
		ctx.addIssue({ code: "custom", message });
		return z.NEVER;
	};
	let value: unknown;
	try {
		value = JSON.parse(raw);
	} catch {
		return fail('must be a JSON key set, {"keys":[…]} (npm run keys:generate)');
	}
	const list = isObject(value) ? value.keys : undefined;
	if (!Array.isArray(list) || list.length === 0)
		return fail('must be a JSON object {"keys":[…]} with at least one key');
	if (list.length > MAX_KEYS) return fail(`holds more than ${MAX_KEYS} keys`);
	const keys: SigningJwk[] = [];
	for (const [index, entry] of list.entries()) {
		const problem = keyProblem(entry);
		if (problem) return fail(`key ${index + 1} ${problem}`);
		const key = toSigningJwk(entry as Record<string, unknown>);
		if (keys.some((k) => k.kid === key.kid)) return fail(`key ${index + 1} repeats the kid of an earlier key`);
		keys.push(key);
	}
	const signer = keys.findLast((k) => k.signs);
	if (!signer) return fail('has no key that may sign (every key has "key_ops":["verify"])');
	return { keys, signer };
}

/** What is wrong with one entry, in fixed words; null when it is a usable private key. */
function keyProblem(entry: unknown): string | null {
	if (!isObject(entry)) return "is not a JSON object";
	if (typeof entry.kid !== "string" || !KID.test(entry.kid))
		return "needs a kid: 1 to 128 printable characters, no spaces";
	if (entry.alg !== "EdDSA" && entry.alg !== "ES256") return "has an alg other than EdDSA or ES256";
	const { kty, crv } = CURVES[entry.alg];
	if (entry.kty !== kty || entry.crv !== crv) return `must have kty ${kty} and crv ${crv} for alg ${entry.alg}`;
	if (entry.use !== undefined && entry.use !== "sig") return 'has a use other than "sig"';
	if (typeof entry.d !== "string") return "has no private part (d): keep private keys in this secret";
	const members = entry.alg === "ES256" ? ["x", "y", "d"] : ["x", "d"];
	for (const name of members)
		if (typeof entry[name] !== "string" || !B64URL_32.test(entry[name] as string))
			return `has a malformed ${name}: 32 bytes in base64url expected`;
	if (entry.alg === "EdDSA" && entry.y !== undefined) return "has a y, which Ed25519 keys do not";
	const ops = entry.key_ops;
	if (ops !== undefined) {
		const valid = Array.isArray(ops) && ops.length > 0 && ops.every((op) => op === "sign" || op === "verify");
		if (!valid || !ops.includes("verify")) return 'has key_ops other than ["sign","verify"] or ["verify"]';
	}
	return null;
}

function toSigningJwk(entry: Record<string, unknown>): SigningJwk {
	const alg = entry.alg as SigningAlg;
	const ops = entry.key_ops as string[] | undefined;
	return {
		kid: entry.kid as string,
		alg,
		...CURVES[alg],
		x: entry.x as string,
		...(alg === "ES256" ? { y: entry.y as string } : {}),
		d: entry.d as string,
		signs: ops === undefined || ops.includes("sign"),
	};
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JWT_SIGNING_KEYS as zod reads it (part of envSchema); blank is unset. */
export const signingKeysVars = {
	JWT_SIGNING_KEYS: z
		.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().optional())
		.transform((raw, ctx) => (raw === undefined ? undefined : parseSigningKeys(raw, ctx))),
};

/** Production signs with configured keys only; elsewhere a missing set means a key generated per isolate. */
export function signingKeysProblems(
	v: { ENVIRONMENT: string; JWT_SIGNING_KEYS?: SigningKeySet },
	ctx: z.RefinementCtx,
) {
	if (v.ENVIRONMENT === "production" && !v.JWT_SIGNING_KEYS)
		ctx.addIssue({
			code: "custom",
			path: ["JWT_SIGNING_KEYS"],
			message: "must be set in production (npm run keys:generate, then wrangler secret put JWT_SIGNING_KEYS)",
		});
}
