import { describe, expect, it } from "vitest";
import { type JwtClaims, signJwt, verifyJwt } from "../../src/auth/jwt";
import { b64json, forge, hmac } from "../support/tokens";

const SECRET = "unit-test-secret-unit-test-secret-0123456789";
const ISS = "edge-verify";
const AUD = "edge-verify-api";
const IAT = 1_900_000_000;
const CLAIMS: JwtClaims = { sub: "42", iat: IAT, exp: IAT + 900, jti: "jti-1", iss: ISS, aud: AUD };
const HS256 = { alg: "HS256", typ: "JWT" };
const at = (seconds: number) => ({ issuer: ISS, audience: AUD, now: seconds * 1000 });
const verify = (token: string, secret = SECRET, now = IAT) => verifyJwt(token, secret, at(now));

describe("signJwt / verifyJwt round trip", () => {
	it("returns exactly the signed claims, extra claims included", async () => {
		const claims = { ...CLAIMS, sid: "family", use: "access" };
		const token = await signJwt(claims, SECRET);
		expect(token.split(".")).toHaveLength(3);
		expect(await verify(token)).toEqual(claims);
	});

	it("a hand-built HS256 token verifies (the forging helper is faithful)", async () => {
		expect(await verify(await forge(HS256, CLAIMS, SECRET))).toEqual(CLAIMS);
		expect(await verify(await forge({ alg: "HS256" }, CLAIMS, SECRET))).toEqual(CLAIMS);
	});
});

describe("tampering", () => {
	it("a changed payload with the original signature is refused", async () => {
		const [header, , signature] = (await signJwt(CLAIMS, SECRET)).split(".");
		const tampered = `${header}.${b64json({ ...CLAIMS, sub: "43" })}.${signature}`;
		expect(await verify(tampered)).toBeNull();
	});

	it("a changed signature is refused", async () => {
		const token = await signJwt(CLAIMS, SECRET);
		const [header, payload, signature = ""] = token.split(".");
		const flipped = signature[10] === "A" ? "B" : "A";
		const tampered = `${header}.${payload}.${signature.slice(0, 10)}${flipped}${signature.slice(11)}`;
		expect(await verify(tampered)).toBeNull();
		expect(await verify(`${header}.${payload}.${signature.slice(0, -2)}`)).toBeNull();
	});

	// The last character of a 32-byte signature carries 2 unused bits that atob ignores:
	// only the canonical spelling may verify.
	it("a signature with a non-canonical last character is refused", async () => {
		const token = await signJwt(CLAIMS, SECRET);
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		const last = alphabet.indexOf(token.at(-1) ?? "");
		const variant = `${token.slice(0, -1)}${alphabet[last ^ 1]}`;
		expect(await verify(variant)).toBeNull();
	});

	it("a token signed with another secret is refused", async () => {
		expect(await verify(await signJwt(CLAIMS, `${SECRET}x`))).toBeNull();
	});
});

describe("header", () => {
	const unsigned = (header: unknown) => `${b64json(header)}.${b64json(CLAIMS)}`;

	it('alg "none": unsigned, with an empty signature, or even with a valid HMAC', async () => {
		const none = { alg: "none", typ: "JWT" };
		expect(await verify(unsigned(none))).toBeNull();
		expect(await verify(`${unsigned(none)}.`)).toBeNull();
		expect(await verify(await forge(none, CLAIMS, SECRET))).toBeNull();
		expect(await verify(await forge({ alg: "None" }, CLAIMS, SECRET))).toBeNull();
	});

	it("algorithm confusion: RS256/ES256 headers HMAC-signed with the secret are refused", async () => {
		for (const alg of ["RS256", "ES256", "PS256"]) {
			expect(await verify(await forge({ alg, typ: "JWT" }, CLAIMS, SECRET)), alg).toBeNull();
		}
	});

	it("other HMAC algorithms are refused, however they are signed", async () => {
		expect(await verify(await forge({ alg: "HS512", typ: "JWT" }, CLAIMS, SECRET, "SHA-512"))).toBeNull();
		expect(await verify(await forge({ alg: "HS384", typ: "JWT" }, CLAIMS, SECRET, "SHA-384"))).toBeNull();
		expect(await verify(await forge({ alg: "HS512", typ: "JWT" }, CLAIMS, SECRET))).toBeNull();
		expect(await verify(await forge({ alg: "hs256", typ: "JWT" }, CLAIMS, SECRET))).toBeNull();
	});

	it("a typ other than JWT, a crit header, a missing alg or a non-object header are refused", async () => {
		expect(await verify(await forge({ alg: "HS256", typ: "at+jwt" }, CLAIMS, SECRET))).toBeNull();
		expect(await verify(await forge({ alg: "HS256", crit: ["exp"] }, CLAIMS, SECRET))).toBeNull();
		expect(await verify(await forge({ typ: "JWT" }, CLAIMS, SECRET))).toBeNull();
		expect(await verify(await forge(["HS256"], CLAIMS, SECRET))).toBeNull();
		expect(await verify(await forge(null, CLAIMS, SECRET))).toBeNull();
	});
});

describe("issuer, audience and time", () => {
	it("refuses another issuer or audience", async () => {
		expect(await verify(await signJwt({ ...CLAIMS, iss: "someone-else" }, SECRET))).toBeNull();
		expect(await verify(await signJwt({ ...CLAIMS, aud: "another-api" }, SECRET))).toBeNull();
		const token = await signJwt(CLAIMS, SECRET);
		expect(await verifyJwt(token, SECRET, { issuer: ISS, audience: "x", now: IAT * 1000 })).toBeNull();
		expect(await verifyJwt(token, SECRET, { issuer: "x", audience: AUD, now: IAT * 1000 })).toBeNull();
	});

	it("is valid until the last millisecond before exp and refused at exp and after", async () => {
		const token = await signJwt(CLAIMS, SECRET);
		expect(await verify(token, SECRET, CLAIMS.exp - 1)).not.toBeNull();
		expect(await verifyJwt(token, SECRET, { ...at(0), now: CLAIMS.exp * 1000 - 1 })).not.toBeNull();
		expect(await verify(token, SECRET, CLAIMS.exp)).toBeNull();
		expect(await verify(token, SECRET, CLAIMS.exp + 3600)).toBeNull();
	});

	it("with acceptExpired, returns an expired token's claims; every other check still applies", async () => {
		const token = await signJwt(CLAIMS, SECRET);
		const late = { ...at(CLAIMS.exp + 3600), acceptExpired: true };
		expect(await verifyJwt(token, SECRET, late)).toEqual(CLAIMS);
		expect(await verifyJwt(token, "another-secret-another-secret-0123456789", late)).toBeNull();
		expect(await verifyJwt(token, SECRET, { ...late, audience: "another-api" })).toBeNull();
		const [header, , signature] = token.split(".");
		expect(await verifyJwt(`${header}.${b64json({ ...CLAIMS, sub: "43" })}.${signature}`, SECRET, late)).toBeNull();
		const future = await signJwt({ ...CLAIMS, iat: IAT + 86_400, exp: IAT + 90_000 }, SECRET);
		expect(await verifyJwt(future, SECRET, { ...at(IAT), acceptExpired: true })).toBeNull();
	});

	it("tolerates an iat up to 5 s ahead, refuses one further in the future", async () => {
		expect(await verify(await signJwt({ ...CLAIMS, iat: IAT + 5 }, SECRET))).not.toBeNull();
		expect(await verify(await signJwt({ ...CLAIMS, iat: IAT + 6 }, SECRET))).toBeNull();
		expect(await verify(await signJwt({ ...CLAIMS, iat: IAT + 86_400, exp: IAT + 90_000 }, SECRET))).toBeNull();
	});
});

describe("claims", () => {
	it.each(["sub", "iat", "exp", "jti", "iss", "aud"])("a token without %s is refused", async (name) => {
		const claims: Record<string, unknown> = { ...CLAIMS };
		delete claims[name];
		expect(await verify(await forge(HS256, claims, SECRET))).toBeNull();
	});

	it.each([
		["sub as a number", { sub: 42 }],
		["iat as a string", { iat: String(IAT) }],
		["exp as a fraction", { exp: IAT + 900.5 }],
		["jti as null", { jti: null }],
		["aud as an array", { aud: [AUD] }],
	])("a token with %s is refused", async (_, change) => {
		expect(await verify(await forge(HS256, { ...CLAIMS, ...change }, SECRET))).toBeNull();
	});

	it("a payload that is not a JSON object is refused even when correctly signed", async () => {
		const header = b64json(HS256);
		for (const payload of [btoa("not json").replace(/=+$/, ""), b64json([CLAIMS]), b64json(null), b64json("x")]) {
			const input = `${header}.${payload}`;
			expect(await verify(`${input}.${await hmac(input, SECRET)}`), payload).toBeNull();
		}
	});
});

describe("malformed strings", () => {
	it("refuses the wrong number of segments, empty segments and non-base64url characters", async () => {
		const token = await signJwt(CLAIMS, SECRET);
		const [h = "", p = "", s = ""] = token.split(".");
		const cases = [
			"",
			`${h}.${p}`,
			`${h}.${p}.${s}.${s}`,
			`${token}.`,
			`.${p}.${s}`,
			`${h}..${s}`,
			`${h}.${p}.${s.slice(0, 20)}+${s.slice(21)}`,
			`${h}.${p}.${s.slice(0, 20)}/${s.slice(21)}`,
			`${h}.${p}.${s}=`,
			`${h}.${p} .${s}`,
			` ${token}`,
			`${h}.${p}.${s}\n`,
		];
		for (const malformed of cases) expect(await verify(malformed), JSON.stringify(malformed)).toBeNull();
		expect(await verify(token)).not.toBeNull();
	});

	it("refuses a header that is not JSON", async () => {
		const input = `${btoa("{alg:HS256}").replace(/=+$/, "")}.${b64json(CLAIMS)}`;
		expect(await verify(`${input}.${await hmac(input, SECRET)}`)).toBeNull();
	});
});
