import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { importJWK, jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config";

/** `npm run keys:generate`, run as a developer runs it: its output must be a key set the Worker accepts. */

const run = promisify(execFile);

async function generate(...args: string[]) {
	const { stdout, stderr } = await run(process.execPath, ["scripts/keys-generate.mjs", ...args]);
	return { value: JSON.parse(stdout) as Record<string, unknown>, stderr };
}

/** Signs with the private JWK and verifies with its public members alone. */
async function roundTrip(jwk: Record<string, unknown>) {
	const alg = jwk.alg as string;
	const { d: _d, ...publicJwk } = jwk;
	const token = await new SignJWT({ sub: "1" }).setProtectedHeader({ alg }).sign(await importJWK(jwk, alg));
	return (await jwtVerify(token, await importJWK(publicJwk, alg))).payload;
}

describe("npm run keys:generate", () => {
	it("prints a private Ed25519 JWK with a fresh kid, which the config accepts as the signing key", async () => {
		const { value: jwk, stderr } = await generate();
		expect(jwk).toEqual({
			kty: "OKP",
			crv: "Ed25519",
			x: expect.stringMatching(/^[\w-]{43}$/),
			d: expect.stringMatching(/^[\w-]{43}$/),
			kid: expect.stringMatching(/^\d{4}-\d{2}-\d{2}-[0-9a-f]{12}$/),
			alg: "EdDSA",
			use: "sig",
		});
		expect(stderr).toContain("append it");
		expect(stderr).not.toContain(String(jwk.d));
		const config = parseConfig({ ENVIRONMENT: "development", JWT_SIGNING_KEYS: JSON.stringify({ keys: [jwk] }) });
		expect(config.tokens.signingKeys?.signer.kid).toBe(jwk.kid);
		expect(await roundTrip(jwk)).toMatchObject({ sub: "1" });
		expect((await generate()).value.kid).not.toBe(jwk.kid);
	});

	it("--alg ES256 prints a P-256 key", async () => {
		const { value: jwk } = await generate("--alg", "ES256");
		expect(jwk).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
		expect(jwk.y).toMatch(/^[\w-]{43}$/);
		expect(await roundTrip(jwk)).toMatchObject({ sub: "1" });
	});

	it("--set prints a whole set, accepted in production; --verify-only a key that publishes but never signs", async () => {
		const { value: set } = await generate("--set");
		const [first] = set.keys as Record<string, unknown>[];
		const { value: next } = await generate("--verify-only");
		expect(next.key_ops).toEqual(["verify"]);
		const keys = JSON.stringify({ keys: [first, next] });
		const config = parseConfig({
			ENVIRONMENT: "production",
			OTP_SECRET: "0123456789abcdef0123456789abcdef",
			TWILIO_ACCOUNT_SID: "AC0123",
			TWILIO_AUTH_TOKEN: "twilio-auth-token",
			TWILIO_PHONE_NUMBER: "+15005550006",
			JWT_SIGNING_KEYS: keys,
			JWT_REFRESH_SECRET: "jwt-refresh-secret-0123456789abcdef",
			EMAIL_FALLBACK_ENABLED: "false",
		});
		expect(config.tokens.signingKeys?.keys).toHaveLength(2);
		expect(config.tokens.signingKeys?.signer.kid).toBe(first?.kid);
	});

	it("refuses another algorithm", async () => {
		await expect(generate("--alg", "RS256")).rejects.toMatchObject({ code: 2 });
	});
});
