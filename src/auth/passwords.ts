import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import type { ScryptParams } from "../config/config";
import { scryptLimitProblems } from "../config/scrypt-limits";

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

/**
 * Hashes a password into a self-describing PHC-style string:
 * `$scrypt$ln=15,r=8,p=3$<salt>$<hash>` (base64, no padding), so the cost can
 * be raised later and old hashes still verify.
 *
 * @example
 * const stored = await hashPassword("correct horse", { N: 32768, r: 8, p: 3 });
 */
export async function hashPassword(password: string, params: ScryptParams): Promise<string> {
	const salt = randomBytes(SALT_LENGTH);
	const hash = await derive(password, salt, params);
	const ln = Math.log2(params.N);
	return `$scrypt$ln=${ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`;
}

/** Checks a password against a stored string; false for a malformed one. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const parsed = parseHash(stored);
	if (!parsed) return false;
	const hash = await derive(password, parsed.salt, parsed.params);
	return hash.length === parsed.hash.length && timingSafeEqual(hash, parsed.hash);
}

/** True when a stored hash was made with other parameters than `params` (re-hash on login). */
export function needsRehash(stored: string, params: ScryptParams): boolean {
	const parsed = parseHash(stored);
	if (!parsed) return true;
	const { N, r, p } = parsed.params;
	return N !== params.N || r !== params.r || p !== params.p;
}

/**
 * A well-formed hash that no password matches, at the given cost. Verifying
 * against it costs what a real check costs, so an unknown account answers in
 * the same time as a wrong password.
 */
export function dummyHash(params: ScryptParams): string {
	const zeros = (n: number) => b64(Buffer.alloc(n));
	return `$scrypt$ln=${Math.log2(params.N)},r=${params.r},p=${params.p}$${zeros(SALT_LENGTH)}$${zeros(KEY_LENGTH)}`;
}

function derive(password: string, salt: Buffer, { N, r, p }: ScryptParams): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const maxmem = 128 * N * r * 2 + 1024 * 1024;
		scrypt(password.normalize("NFC"), salt, KEY_LENGTH, { N, r, p, maxmem }, (err, key) =>
			err ? reject(err) : resolve(key),
		);
	});
}

const PATTERN = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function parseHash(stored: string) {
	const m = PATTERN.exec(stored);
	if (!m) return null;
	const [, ln, r, p, salt, hash] = m as unknown as [string, string, string, string, string, string];
	const params = { N: 2 ** Number(ln), r: Number(r), p: Number(p) };
	// A stored string is data: refuse parameters workerd would reject or that would exhaust memory.
	if (Number(ln) < 1 || params.r < 1 || params.p < 1 || scryptLimitProblems(params).length > 0) return null;
	return { params, salt: Buffer.from(salt, "base64"), hash: Buffer.from(hash, "base64") };
}

function b64(buf: Buffer): string {
	return buf.toString("base64").replace(/=+$/, "");
}
