import { describe, expect, it } from "vitest";
import { signJwt } from "../../src/auth/jwt";
import { readSessionToken, signSessionToken } from "../../src/auth/session-tokens";
import { answer } from "../support/answer";
import { post, uniquePhone } from "../support/api";
import { lastCode } from "../support/outbox";
import { registeredCustomer, sendOtp } from "../support/registration";
import { appAt, jsonPost, logout, logoutAll, me, refresh, sessionRow, signIn } from "../support/sessions";
import { EDDSA_KEY } from "../support/signing-keys";
import { decode, sidOf, signWith, tokens } from "../support/tokens";

const AREA = "610";
const T = Date.UTC(2031, 5, 1, 12, 0, 0, 789);

describe("claims of the tokens login issues", () => {
	it("carry sub, sid, use, iat, exp, jti, iss and aud with the configured lifetimes", async () => {
		const customer = await registeredCustomer(AREA);
		const at = appAt(T);
		const res = await at("/api/customers/login", jsonPost({ email: customer.email, password: customer.password }));
		expect(res.status).toBe(200);
		const { accessToken, refreshToken } = res.body as { accessToken: string; refreshToken: string };
		const access = decode(accessToken);
		const refreshing = decode(refreshToken);
		const iat = Math.floor(T / 1000);
		const common = { sub: String(customer.customerId), iat, iss: "edge-verify", aud: "edge-verify-api" };
		expect(access.header).toEqual({ alg: "EdDSA", kid: EDDSA_KEY.kid, typ: "JWT" });
		expect(refreshing.header).toEqual({ alg: "HS256", typ: "JWT" });
		expect(access.claims).toEqual({
			...common,
			use: "access",
			exp: iat + 900,
			sid: expect.any(String),
			jti: expect.any(String),
		});
		expect(refreshing.claims).toEqual({
			...common,
			use: "refresh",
			exp: iat + 2_592_000,
			sid: access.claims.sid,
			jti: expect.any(String),
		});
		expect(access.claims.jti).not.toBe(refreshing.claims.jti);
		expect(res.body.expiresIn).toBe(900);
		const row = await sessionRow(String(access.claims.sid));
		expect(row).toMatchObject({
			customer_id: customer.customerId,
			created_at: T,
			expires_at: (iat + 2_592_000) * 1000,
		});
	});

	it("every login opens a new session with fresh ids; a refresh keeps the session and renews the ids", async () => {
		const customer = await registeredCustomer(AREA);
		const first = await signIn({ email: customer.email, password: customer.password });
		const second = await signIn({ email: customer.email, password: customer.password });
		expect(sidOf(first.accessToken)).not.toBe(sidOf(second.accessToken));
		const rotated = await refresh(first.refreshToken);
		expect(rotated.status).toBe(200);
		const next = rotated.body as { accessToken: string; refreshToken: string };
		expect(sidOf(next.refreshToken)).toBe(sidOf(first.refreshToken));
		expect(sidOf(next.accessToken)).toBe(sidOf(first.refreshToken));
		const jtis = [first, second, next].flatMap((t) => [t.accessToken, t.refreshToken]).map((t) => decode(t).claims.jti);
		expect(new Set(jtis).size).toBe(6);
		for (const jti of jtis) expect(jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
	});

	it("verify-otp (registration) answers with a working token pair", async () => {
		const phone = uniquePhone(AREA);
		expect((await sendOtp(phone)).status).toBe(200);
		const res = await answer(post("/api/customers/verify-otp", { phone, otp: await lastCode(phone) }));
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({ tokenType: "Bearer", expiresIn: 900, customerId: expect.any(Number) });
		expect(decode(String(res.body.accessToken)).claims).toMatchObject({
			sub: String(res.body.customerId),
			use: "access",
		});
		expect((await me(String(res.body.accessToken))).status).toBe(200);
		expect((await refresh(String(res.body.refreshToken))).status).toBe(200);
	});
});

describe("access and refresh tokens never stand in for each other", () => {
	it("an access token is refused by refresh and logout, and its session stays open", async () => {
		const customer = await registeredCustomer(AREA);
		const session = await signIn({ email: customer.email, password: customer.password });
		expect(await refresh(session.accessToken)).toMatchObject({ status: 401, body: { code: "UNAUTHORIZED" } });
		expect(await logout(session.accessToken)).toMatchObject({ status: 401, body: { code: "UNAUTHORIZED" } });
		expect((await sessionRow(sidOf(session.accessToken)))?.revoked_at).toBeNull();
		expect((await refresh(session.refreshToken)).status).toBe(200);
	});

	it("a refresh token is refused as a Bearer token on /me and logout-all", async () => {
		const customer = await registeredCustomer(AREA);
		const session = await signIn({ email: customer.email, password: customer.password });
		expect(await me(session.refreshToken)).toMatchObject({ status: 401, body: { code: "UNAUTHORIZED" } });
		expect(await logoutAll(session.refreshToken)).toMatchObject({ status: 401, body: { code: "UNAUTHORIZED" } });
		expect((await me(session.accessToken)).status).toBe(200);
	});

	it("the same claims signed with the other kind's key are refused; with the right key accepted", async () => {
		const { refreshSecret } = tokens();
		const customer = await registeredCustomer(AREA);
		const session = await signIn({ email: customer.email, password: customer.password });
		const access = decode(session.accessToken).claims;
		const refreshClaims = decode(session.refreshToken).claims;
		type Claims = Parameters<typeof signJwt>[0];
		const hs256 = (claims: Record<string, unknown>) => signJwt(claims as Claims, refreshSecret);
		expect((await me(await hs256(access))).status).toBe(401);
		expect((await me(await hs256({ ...access, use: "refresh" }))).status).toBe(401);
		expect((await refresh(await signWith(EDDSA_KEY, refreshClaims))).status).toBe(401);
		expect((await refresh(await hs256({ ...refreshClaims, use: "access" }))).status).toBe(401);
		// Controls: the re-signing itself yields tokens the API accepts.
		expect((await me(await signWith(EDDSA_KEY, access))).status).toBe(200);
		expect((await refresh(await hs256(refreshClaims))).status).toBe(200);
	});
});

describe("readSessionToken", () => {
	const now = T;

	it("reads a token only for the use it was signed for", async () => {
		const cfg = tokens();
		const access = await signSessionToken(cfg, "access", 7, "family", now);
		const refreshToken = await signSessionToken(cfg, "refresh", 7, "family", now);
		expect(await readSessionToken(cfg, "access", access.token, now)).toEqual({
			customerId: 7,
			sessionId: "family",
			jti: access.jti,
		});
		expect(await readSessionToken(cfg, "refresh", refreshToken.token, now)).toMatchObject({ customerId: 7 });
		expect(await readSessionToken(cfg, "refresh", access.token, now)).toBeNull();
		expect(await readSessionToken(cfg, "access", refreshToken.token, now)).toBeNull();
		expect(access.expiresAt).toBe((Math.floor(now / 1000) + 900) * 1000);
		expect(refreshToken.expiresAt).toBe((Math.floor(now / 1000) + 2_592_000) * 1000);
	});

	it.each([
		["a sub that is not a positive integer", { sub: "0" }],
		["a sub with letters", { sub: "7a" }],
		["a negative sub", { sub: "-7" }],
		["no sid", { sid: undefined }],
		["a numeric sid", { sid: 5 }],
		["no use", { use: undefined }],
		["another audience", { aud: "other-api" }],
		["another issuer", { iss: "other-issuer" }],
	])("refuses a correctly signed access token with %s", async (_, change) => {
		const cfg = tokens();
		const iat = Math.floor(now / 1000);
		const base = {
			sub: "7",
			sid: "family",
			use: "access",
			iat,
			exp: iat + 900,
			jti: "j",
			iss: cfg.issuer,
			aud: cfg.audience,
		};
		expect(await readSessionToken(cfg, "access", await signWith(EDDSA_KEY, base), now)).not.toBeNull();
		const token = await signWith(EDDSA_KEY, { ...base, ...change });
		expect(await readSessionToken(cfg, "access", token, now)).toBeNull();
	});
});
