import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app";
import { hashPassword, verifyPassword } from "../../../src/auth/passwords";
import { hashTokenId } from "../../../src/auth/session-tokens";
import { customerRepository } from "../../../src/customers/repository";
import { answer } from "../../support/answer";
import { login, PASSWORD, uniquePhone } from "../../support/api";
import { registeredCustomer } from "../../support/registration";
import { me, refresh, sessionRow, signIn, storedHash } from "../../support/sessions";
import { decode, sidOf } from "../../support/tokens";

const AREA = "612";

const spaced = (phone: string) => `+1 (${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8)}`;

describe("login", () => {
	it("by email, case and spaces ignored, answers tokens and the profile", async () => {
		const c = await registeredCustomer(AREA);
		const res = await answer(login({ email: `  ${c.email.toUpperCase()} `, password: c.password }));
		expect(res.status).toBe(200);
		expect(res.body).toEqual({
			success: true,
			accessToken: expect.any(String),
			refreshToken: expect.any(String),
			tokenType: "Bearer",
			expiresIn: 900,
			customer: { id: c.customerId, name: c.name, email: c.email, phone: c.phone },
		});
		expect((await me(String(res.body.accessToken))).status).toBe(200);
	});

	it("by phone typed with spaces, dashes and parentheses", async () => {
		const c = await registeredCustomer(AREA);
		const res = await answer(login({ phone: spaced(c.phone), password: c.password }));
		expect(res.status).toBe(200);
		expect(res.body.customer).toEqual({ id: c.customerId, name: c.name, email: c.email, phone: c.phone });
	});

	it.each([
		["neither email nor phone", { password: PASSWORD }, "email"],
		["both email and phone", { email: "a@example.com", phone: "+16125550100", password: PASSWORD }, "email"],
		["no password", { email: "a@example.com" }, "password"],
		["an empty password", { email: "a@example.com", password: "" }, "password"],
		["a malformed email", { email: "not-an-email", password: PASSWORD }, "email"],
	])("with %s → 400 VALIDATION_ERROR", async (_, body, field) => {
		const res = await answer(login(body));
		expect(res.status).toBe(400);
		expect(res.body).toMatchObject({ success: false, code: "VALIDATION_ERROR", field });
	});
});

describe("refused logins answer alike", () => {
	it("unknown email, unknown phone and a wrong password (by email or phone) give the same answer", async () => {
		const c = await registeredCustomer(AREA);
		const refusals = [
			await answer(login({ email: `nobody-${c.phone.slice(1)}@example.com`, password: PASSWORD })),
			await answer(login({ phone: uniquePhone(AREA), password: PASSWORD })),
			await answer(login({ email: c.email, password: `${PASSWORD}!` })),
			await answer(login({ phone: c.phone, password: `${PASSWORD}!` })),
		];
		for (const r of refusals) {
			expect(r.status).toBe(401);
			expect(r.text).toBe(refusals[0]?.text);
			expect([...r.headers.keys()].sort()).toEqual([...(refusals[0]?.headers.keys() ?? [])].sort());
		}
		expect(refusals[0]?.body).toEqual({ success: false, message: expect.any(String), code: "INVALID_CREDENTIALS" });
	});

	it("an unknown account costs a password hash, like a wrong password", async () => {
		// A slow hash, so its cost stands out from everything else a login does.
		const slow = { N: 32_768, r: 8, p: 1 };
		const slowEnv = { ...env, PASSWORD_SCRYPT_N: String(slow.N), PASSWORD_SCRYPT_R: "8", PASSWORD_SCRYPT_P: "1" };
		const app = createApp();
		const c = await registeredCustomer(AREA);
		await env.DB.prepare("UPDATE customers SET password_hash = ? WHERE id = ?")
			.bind(await hashPassword(PASSWORD, slow), c.customerId)
			.run();
		const timed = async (body: Record<string, unknown>) => {
			const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
			const start = performance.now();
			const res = await app.request("/api/customers/login", init, slowEnv);
			await res.arrayBuffer();
			expect(res.status).toBe(401);
			return performance.now() - start;
		};
		const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1] as number;
		const wrong: number[] = [];
		const unknown: number[] = [];
		for (let i = 0; i < 3; i++) {
			wrong.push(await timed({ email: c.email, password: `wrong-${i}` }));
			unknown.push(await timed({ email: `ghost-${i}-${c.phone.slice(1)}@example.com`, password: PASSWORD }));
		}
		expect(median(wrong)).toBeGreaterThan(20);
		expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.5);
	}, 30_000);
});

describe("GET /me", () => {
	it("answers the profile and never the password hash", async () => {
		const c = await registeredCustomer(AREA);
		const res = await me(c.accessToken);
		expect(res.status).toBe(200);
		expect(res.body).toEqual({
			success: true,
			customer: {
				id: c.customerId,
				name: c.name,
				email: c.email,
				phone: c.phone,
				phoneVerifiedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
				emailVerifiedAt: null,
				createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
			},
		});
	});

	it.each([
		["no Authorization header", undefined, "Bearer"],
		["a Basic scheme", "Basic eDp5", 'Bearer error="invalid_token"'],
		["a garbage bearer token", "Bearer garbage", 'Bearer error="invalid_token"'],
		["an empty bearer token", "Bearer ", 'Bearer error="invalid_token"'],
	])("with %s → 401 UNAUTHORIZED and WWW-Authenticate", async (_, authorization, challenge) => {
		const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
		const res = await answer(createApp().request("/api/customers/me", { headers }, env));
		expect(res.status).toBe(401);
		expect(res.body).toMatchObject({ success: false, code: "UNAUTHORIZED" });
		expect(res.headers.get("www-authenticate")).toBe(challenge);
	});

	it("refuses a token whose claims were changed (another customer's id)", async () => {
		const victim = await registeredCustomer(AREA);
		const attacker = await registeredCustomer(AREA);
		const [header, , signature] = attacker.accessToken.split(".");
		const claims = { ...decode(attacker.accessToken).claims, sub: String(victim.customerId) };
		const forged = `${header}.${btoa(JSON.stringify(claims)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")}.${signature}`;
		const res = await me(forged);
		expect(res.status).toBe(401);
		expect(res.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
		expect(res.text).not.toContain(victim.email);
	});

	it("accepts an access token 899 s after issue and refuses it at 900 s", async () => {
		const c = await registeredCustomer(AREA);
		const iat = Number(decode(c.accessToken).claims.iat);
		const at = (s: number) =>
			answer(
				createApp({ clock: () => s * 1000 }).request(
					"/api/customers/me",
					{ headers: { authorization: `Bearer ${c.accessToken}` } },
					env,
				),
			);
		expect((await at(iat + 899)).status).toBe(200);
		const expired = await at(iat + 900);
		expect(expired.status).toBe(401);
		expect(expired.body.code).toBe("UNAUTHORIZED");
		expect(expired.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
	});
});

describe("the password hash", () => {
	it("appears in no answer of login, refresh or /me", async () => {
		const c = await registeredCustomer(AREA);
		const hash = await storedHash(c.customerId);
		const [, , , salt = "", digest = ""] = hash.split("$");
		const session = await answer(login({ email: c.email, password: c.password }));
		const rotated = await refresh(String(session.body.refreshToken));
		const profile = await me(String(rotated.body.accessToken));
		for (const res of [session, rotated, profile]) {
			expect(res.status).toBe(200);
			for (const secret of [hash, salt, digest, "scrypt", "passwordHash", "password_hash"])
				expect(res.text).not.toContain(secret);
		}
	});
});

describe("re-hash on login", () => {
	it("a hash made with other parameters is replaced by one at the current cost; a wrong password changes nothing", async () => {
		const c = await registeredCustomer(AREA);
		const old = await hashPassword(PASSWORD, { N: 512, r: 8, p: 1 });
		await env.DB.prepare("UPDATE customers SET password_hash = ? WHERE id = ?").bind(old, c.customerId).run();

		expect((await login({ email: c.email, password: `${PASSWORD}?` })).status).toBe(401);
		expect(await storedHash(c.customerId)).toBe(old);

		expect((await login({ email: c.email, password: PASSWORD })).status).toBe(200);
		const rehashed = await storedHash(c.customerId);
		expect(rehashed).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
		expect(rehashed).not.toBe(old);
		expect(await verifyPassword(PASSWORD, rehashed)).toBe(true);

		expect((await login({ phone: c.phone, password: PASSWORD })).status).toBe(200);
		expect(await storedHash(c.customerId)).toBe(rehashed);
	});

	it("the re-hash is a compare-and-set: it never overwrites a hash that changed meanwhile", async () => {
		const c = await registeredCustomer(AREA);
		const current = await storedHash(c.customerId);
		await customerRepository(env.DB).replaceHash(c.customerId, "$scrypt$stale", "$scrypt$replacement");
		expect(await storedHash(c.customerId)).toBe(current);
	});
});

describe("the stored session", () => {
	it("keeps the user agent, the network (not the address) and only a hash of the refresh token id", async () => {
		const c = await registeredCustomer(AREA);
		const headers = { "User-Agent": "SessionTest/1.0 (X11)", "CF-Connecting-IP": "203.0.113.77" };
		const session = await signIn({ email: c.email, password: c.password }, headers);
		const { jti, iat } = decode(session.refreshToken).claims as { jti: string; iat: number };
		const row = await sessionRow(sidOf(session.refreshToken));
		expect(row).toMatchObject({
			customer_id: c.customerId,
			user_agent: "SessionTest/1.0 (X11)",
			ip_summary: "203.0.113.0/24",
			expires_at: (iat + 2_592_000) * 1000,
			revoked_at: null,
			revoked_reason: null,
		});
		expect(row?.token_hash).toBe(await hashTokenId(jti));
		for (const secret of [session.refreshToken, session.accessToken, jti])
			expect(row?.token_hash).not.toContain(secret);
		expect(JSON.stringify(row)).not.toContain("203.0.113.77");
	});

	it("summarises an IPv6 address to its /48 and cuts a long user agent to 200 characters", async () => {
		const c = await registeredCustomer(AREA);
		const headers = { "User-Agent": "x".repeat(500), "CF-Connecting-IP": "2001:db8:abcd:12::7" };
		const session = await signIn({ phone: c.phone, password: c.password }, headers);
		const row = await sessionRow(sidOf(session.refreshToken));
		expect(row?.ip_summary).toBe("2001:db8:abcd::/48");
		expect(row?.user_agent).toBe("x".repeat(200));
	});

	it("has no user agent or network when the request carries none", async () => {
		const c = await registeredCustomer(AREA);
		const session = await signIn({ email: c.email, password: c.password });
		expect(await sessionRow(sidOf(session.refreshToken))).toMatchObject({ user_agent: null, ip_summary: null });
	});
});

describe("the OpenAPI document", () => {
	it("lists the session and account paths, with bearer security where a token is needed", async () => {
		const res = await answer(createApp().request("/openapi.json", {}, env));
		expect(res.status).toBe(200);
		const doc = res.body as {
			paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
			components: { securitySchemes: Record<string, unknown> };
		};
		for (const path of ["login", "refresh", "logout", "logout-all"])
			expect(Object.keys(doc.paths[`/api/customers/${path}`] ?? {}), path).toEqual(["post"]);
		expect(doc.paths["/api/customers/me"]?.get).toBeDefined();
		expect(doc.paths["/api/customers/login"]?.post?.responses).toHaveProperty("401");
		expect(doc.paths["/api/customers/logout-all"]?.post?.security).toEqual([{ bearerAuth: [] }]);
		expect(doc.paths["/api/customers/me"]?.get?.security).toEqual([{ bearerAuth: [] }]);
		expect(doc.paths["/api/customers/login"]?.post?.security).toBeUndefined();
		expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
	});
});
