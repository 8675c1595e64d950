import { exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { SigningAlg, SigningJwk, SigningKeySet, TokenConfig } from "../config/config";
import { ApiError } from "../errors/errors";
import { log } from "../platform/log";
import { base64url } from "./jwt";

/** A public key as published: the members a verifier needs, nothing private. */
export interface PublicJwk {
	kty: "OKP" | "EC";
	crv: "Ed25519" | "P-256";
	x: string;
	y?: string;
	kid: string;
	alg: SigningAlg;
	use: "sig";
}

export interface VerifyingKey {
	alg: SigningAlg;
	key: CryptoKey;
}

/** The imported keys of access tokens: one signs, every one verifies, all are published. */
export interface Keyring {
	signer: { kid: string; alg: SigningAlg; key: CryptoKey };
	verifiers: ReadonlyMap<string, VerifyingKey>;
	/** The JSON of the published set and its ETag, computed once. */
	jwks: { body: string; etag: string };
}

const imported = new WeakMap<SigningKeySet, Promise<Keyring>>();
let generated: Promise<Keyring> | undefined;

/**
 * The keyring of `t`, imported once per isolate for each parsed key set
 * (config is parsed once per `env`, so once in all). Without a set (outside
 * production only; config refuses that in production) a key generated once
 * per isolate signs: tokens then outlive neither a restart nor the isolate.
 * @throws ApiError CONFIGURATION_ERROR when a key cannot be imported or its
 * public part does not match its private part.
 */
export function keyringFor(t: TokenConfig): Promise<Keyring> {
	const set = t.signingKeys;
	if (!set) {
		generated ??= generateKeyring();
		return generated;
	}
	let ring = imported.get(set);
	if (!ring) {
		ring = importKeyring(set);
		imported.set(set, ring);
	}
	return ring;
}

async function importKeyring(set: SigningKeySet): Promise<Keyring> {
	const verifiers = new Map<string, VerifyingKey>();
	let signer: Keyring["signer"] | undefined;
	for (const [index, jwk] of set.keys.entries()) {
		const pair = await importPair(jwk).catch(() => null);
		if (!pair || !(await matches(jwk.alg, pair)))
			throw configurationError(`key ${index + 1} could not be imported, or its x/y do not match its d`);
		verifiers.set(jwk.kid, { alg: jwk.alg, key: pair.publicKey });
		if (jwk === set.signer) signer = { kid: jwk.kid, alg: jwk.alg, key: pair.privateKey };
	}
	if (!signer) throw configurationError("has no signing key");
	return { signer, verifiers, jwks: await publish(set.keys.map(publicOf)) };
}

async function importPair(jwk: SigningJwk): Promise<CryptoKeyPair> {
	// Only the curve members go to the importer: no key_ops, ext or use to trip over.
	const members: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) };
	const [publicKey, privateKey] = await Promise.all([
		importJWK(members, jwk.alg),
		importJWK({ ...members, d: jwk.d }, jwk.alg),
	]);
	return { publicKey: publicKey as CryptoKey, privateKey: privateKey as CryptoKey };
}

const PROBE = new TextEncoder().encode("edge-verify signing key probe");

/** A key whose published half does not verify what its private half signs would break every token it signs. */
async function matches(alg: SigningAlg, { publicKey, privateKey }: CryptoKeyPair): Promise<boolean> {
	const params = alg === "EdDSA" ? { name: "Ed25519" } : { name: "ECDSA", hash: "SHA-256" };
	const signature = await crypto.subtle.sign(params, privateKey, PROBE);
	return crypto.subtle.verify(params, publicKey, signature, PROBE);
}

/** Public members only, listed one by one: whatever else the secret holds never reaches the set. */
function publicOf(jwk: SigningJwk): PublicJwk {
	return {
		kty: jwk.kty,
		crv: jwk.crv,
		x: jwk.x,
		...(jwk.y ? { y: jwk.y } : {}),
		kid: jwk.kid,
		alg: jwk.alg,
		use: "sig",
	};
}

async function publish(keys: PublicJwk[]): Promise<Keyring["jwks"]> {
	const body = JSON.stringify({ keys });
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
	return { body, etag: `"${base64url(new Uint8Array(digest)).slice(0, 22)}"` };
}

async function generateKeyring(): Promise<Keyring> {
	const { publicKey, privateKey } = await generateKeyPair("EdDSA");
	const { x } = await exportJWK(publicKey);
	const kid = `dev-${base64url(crypto.getRandomValues(new Uint8Array(6)))}`;
	log("warn", "signing_key_generated", {
		kid,
		note: "JWT_SIGNING_KEYS is unset: this isolate signs with a key of its own, lost on restart",
	});
	const jwk: PublicJwk = { kty: "OKP", crv: "Ed25519", x: x as string, kid, alg: "EdDSA", use: "sig" };
	return {
		signer: { kid, alg: "EdDSA", key: privateKey },
		verifiers: new Map([[kid, { alg: "EdDSA" as const, key: publicKey }]]),
		jwks: await publish([jwk]),
	};
}

function configurationError(problem: string): ApiError {
	const cause = new Error(`Invalid configuration: JWT_SIGNING_KEYS ${problem}`);
	return new ApiError("CONFIGURATION_ERROR", undefined, {}, { cause });
}
