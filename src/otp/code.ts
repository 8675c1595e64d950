import { createHmac, timingSafeEqual } from "node:crypto";
import type { Purpose } from "./state";

const CODE_SPACE = 1_000_000;
// The largest multiple of 10^6 below 2^32: draws at or above it are rejected,
// so every code is exactly equally likely (no modulo bias).
const UNBIASED_LIMIT = Math.floor(2 ** 32 / CODE_SPACE) * CODE_SPACE;

/** A uniformly random 6-digit code from the CSPRNG. */
export function generateCode(random: (buf: Uint32Array) => Uint32Array = fill): string {
	const buf = new Uint32Array(1);
	for (;;) {
		const n = random(buf)[0] as number;
		if (n < UNBIASED_LIMIT) return String(n % CODE_SPACE).padStart(6, "0");
	}
}

function fill(buf: Uint32Array): Uint32Array {
	return crypto.getRandomValues(buf);
}

/**
 * The HMAC-SHA256 under which a code is stored. Binding the purpose, the
 * phone, the registration's id and the generation means a MAC is worthless
 * for any other flow, number, registration or send.
 */
export function macCode(
	secret: string,
	purpose: Purpose,
	phone: string,
	id: string,
	generation: number,
	code: string,
): Uint8Array {
	return new Uint8Array(
		createHmac("sha256", secret).update(`${purpose}\n${phone}\n${id}\n${generation}\n${code}`).digest(),
	);
}

/** A registration's id: 128 bits from the CSPRNG, URL-safe base64 (22 characters). */
export function newRegistrationId(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(16));
	return btoa(String.fromCharCode(...bytes))
		.replace(/\+/g, "-")
		.replace(/\//g, "_")
		.replace(/=+$/, "");
}

/** Constant-time comparison of two MACs. */
export function macsEqual(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && timingSafeEqual(a, b);
}

/** Random bytes are the MAC of no code. */
export const randomMac = () => crypto.getRandomValues(new Uint8Array(32));
