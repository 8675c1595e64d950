import { exports } from "cloudflare:workers";
import { createLocalJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { JWKS_MAX_AGE_SECONDS } from "../../src/auth/jwks";
import { answer } from "../support/answer";
import { post, uniquePhone } from "../support/api";
import { lastCode } from "../support/outbox";
import { sendOtp } from "../support/registration";
import { EDDSA_KEY, ES256_KEY } from "../support/signing-keys";

const get = (path: string, headers: Record<string, string> = {}) =>
	exports.default.fetch(`http://localhost${path}`, { headers });

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth", "key_ops", "ext"];

describe("GET /.well-known/jwks.json", () => {
	it("publishes every key of JWT_SIGNING_KEYS, public members only, cacheable", async () => {
		const res = await get("/.well-known/jwks.json");
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^application\/json/);
		expect(res.headers.get("cache-control")).toBe(`public, max-age=${JWKS_MAX_AGE_SECONDS}`);
		const text = await res.text();
		const { keys } = JSON.parse(text) as { keys: Record<string, unknown>[] };
		const { d: _d1, ...es256 } = ES256_KEY;
		const { d: _d2, ...eddsa } = EDDSA_KEY;
		expect(keys).toEqual([es256, eddsa]);
		for (const key of keys) for (const name of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(name);
		expect(text).not.toContain(ES256_KEY.d);
		expect(text).not.toContain(EDDSA_KEY.d);
	});

	it("answers 304 to its own ETag, 200 to another", async () => {
		const etag = (await get("/.well-known/jwks.json")).headers.get("etag");
		expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
		const again = await get("/.well-known/jwks.json", { "If-None-Match": etag as string });
		expect(again.status).toBe(304);
		expect(again.headers.get("cache-control")).toBe(`public, max-age=${JWKS_MAX_AGE_SECONDS}`);
		for (const list of [`"other", ${etag}`, `W/${etag}`, "*"])
			expect((await get("/.well-known/jwks.json", { "If-None-Match": list })).status).toBe(304);
		expect((await get("/.well-known/jwks.json", { "If-None-Match": '"other"' })).status).toBe(200);
	});

	it("verifies a registration's access token the way another service would", async () => {
		const phone = uniquePhone("614");
		expect((await sendOtp(phone)).status).toBe(200);
		const res = await answer(post("/api/customers/verify-otp", { phone, otp: await lastCode(phone) }));
		expect(res.status).toBe(201);
		const set = createLocalJWKSet(await (await get("/.well-known/jwks.json")).json());
		const { payload, protectedHeader } = await jwtVerify(String(res.body.accessToken), set, {
			issuer: "edge-verify",
			audience: "edge-verify-api",
			algorithms: ["EdDSA", "ES256"],
		});
		expect(protectedHeader).toMatchObject({ alg: "EdDSA", kid: EDDSA_KEY.kid });
		expect(payload.sub).toBe(String(res.body.customerId));
		// The refresh token is internal: no published key verifies it.
		await expect(jwtVerify(String(res.body.refreshToken), set)).rejects.toThrow();
	});

	it("is in the OpenAPI document", async () => {
		const doc = (await (await get("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
		expect(doc.paths["/.well-known/jwks.json"]?.get).toMatchObject({ tags: ["Tokens"] });
	});
});
