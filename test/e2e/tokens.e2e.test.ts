import { createRemoteJWKSet, errors, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeIn } from "../support/fake-twilio.ts";
import { postCustomers, type Stack, startStack } from "../support/stack.ts";

/**
 * Another service's view of the tokens: `wrangler dev` as `npm run dev` runs
 * it, with no JWT_SIGNING_KEYS (a key generated for the isolate), and jose in
 * Node fetching the published key set over HTTP.
 */

const PHONE = "+14155550143";
let stack: Stack | undefined;

beforeAll(async () => {
	stack = await startStack({ OTP_SECRET: "e2e-otp-secret-e2e-otp-secret-0123456789" });
});

afterAll(async () => {
	await stack?.stop();
});

const post = (path: string, body: unknown) => postCustomers(stack?.dev, path, body);

describe("access tokens verified outside the Worker", () => {
	it("a registration's access token verifies with the key set published at /.well-known/jwks.json", async () => {
		const dev = stack?.dev;
		if (!dev || !stack) throw new Error("wrangler dev is not running");
		const sent = await post("send-otp", {
			name: "Grace Hopper",
			email: "grace@example.com",
			phone: PHONE,
			password: "correct horse battery",
		});
		expect(sent.status).toBe(200);
		const [sms] = await stack.sms(PHONE);
		const verified = await post("verify-otp", { phone: PHONE, otp: codeIn(String(sms?.body)) });
		expect(verified.status).toBe(201);
		const { customerId, accessToken, refreshToken } = (await verified.json()) as Record<string, string>;

		const url = new URL("/.well-known/jwks.json", dev.url);
		const keys = createRemoteJWKSet(url);
		const expected = { issuer: "edge-verify", audience: "edge-verify-api", algorithms: ["EdDSA", "ES256"] };
		const { payload, protectedHeader } = await jwtVerify(accessToken as string, keys, expected);
		expect(payload).toMatchObject({ sub: String(customerId), use: "access" });
		expect(protectedHeader).toMatchObject({ alg: "EdDSA", kid: expect.stringMatching(/^dev-/) });

		// Only access tokens are verifiable from outside; a changed claim breaks the signature.
		await expect(jwtVerify(refreshToken as string, keys, expected)).rejects.toThrow();
		const [header, , signature] = (accessToken as string).split(".");
		const forged = Buffer.from(JSON.stringify({ ...payload, sub: `${customerId}0` })).toString("base64url");
		await expect(jwtVerify(`${header}.${forged}.${signature}`, keys, expected)).rejects.toBeInstanceOf(
			errors.JWSSignatureVerificationFailed,
		);

		const res = await fetch(url);
		expect(res.headers.get("cache-control")).toBe("public, max-age=300");
		const published = (await res.json()) as { keys: Record<string, unknown>[] };
		expect(published.keys.map((k) => Object.keys(k).sort())).toEqual([["alg", "crv", "kid", "kty", "use", "x"]]);
		// Development without JWT_SIGNING_KEYS says so, and never prints the key.
		expect(dev.output()).toContain("signing_key_generated");
		expect(dev.output()).not.toMatch(/"d":/);
	});
});
