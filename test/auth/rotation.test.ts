import { describe, expect, it } from "vitest";
import { answer } from "../support/answer";
import { post } from "../support/api";
import { registeredCustomer } from "../support/registration";
import { appAt, jsonPost, logout, logoutAll, me, refresh, sessionRow, signIn, type Tokens } from "../support/sessions";
import { decode, sidOf } from "../support/tokens";

const AREA = "613";

async function customerWithSessions(count: number) {
	const c = await registeredCustomer(AREA);
	const sessions: Tokens[] = [];
	for (let i = 0; i < count; i++) sessions.push(await signIn({ email: c.email, password: c.password }));
	return { ...c, sessions };
}

/** Refreshes and returns the new pair; fails the test unless the answer is 200. */
async function rotate(refreshToken: string): Promise<Tokens> {
	const res = await refresh(refreshToken);
	expect(res.status, res.text).toBe(200);
	return res.body as unknown as Tokens;
}

const expectDead = async (s: Tokens) => {
	expect(await me(s.accessToken)).toMatchObject({ status: 401, body: { code: "UNAUTHORIZED" } });
	expect(await refresh(s.refreshToken)).toMatchObject({ status: 401, body: { code: "UNAUTHORIZED" } });
};

const expectAlive = async (s: Tokens) => {
	expect((await me(s.accessToken)).status).toBe(200);
	expect((await refresh(s.refreshToken)).status).toBe(200);
};

describe("refresh token rotation", () => {
	it("answers a new pair; each refresh token works once; the session's access tokens keep working", async () => {
		const { sessions } = await customerWithSessions(1);
		const first = sessions[0] as Tokens;
		const res = await refresh(first.refreshToken);
		expect(res.body).toEqual({
			success: true,
			accessToken: expect.any(String),
			refreshToken: expect.any(String),
			tokenType: "Bearer",
			expiresIn: 900,
		});
		const second = res.body as unknown as Tokens;
		expect(second.refreshToken).not.toBe(first.refreshToken);
		const third = await rotate(second.refreshToken);
		expect((await me(first.accessToken)).status).toBe(200);
		expect((await me(third.accessToken)).status).toBe(200);
		const row = await sessionRow(sidOf(third.refreshToken));
		expect(row?.revoked_at).toBeNull();
	});

	it("a used refresh token presented again → TOKEN_REUSED, and its whole session is revoked", async () => {
		const { sessions } = await customerWithSessions(2);
		const [victim, other] = sessions as [Tokens, Tokens];
		const second = await rotate(victim.refreshToken);
		const third = await rotate(second.refreshToken);

		const reused = await refresh(victim.refreshToken);
		expect(reused).toMatchObject({ status: 401, body: { success: false, code: "TOKEN_REUSED" } });
		expect(await sessionRow(sidOf(victim.refreshToken))).toMatchObject({
			revoked_at: expect.any(Number),
			revoked_reason: "token_reuse",
		});
		await expectDead(third);
		await expectDead(victim);
		// Presenting the stale token again finds the session already ended.
		expect((await refresh(second.refreshToken)).body.code).toBe("UNAUTHORIZED");
		await expectAlive(other);
	});

	it("tampered, foreign or garbage refresh tokens → 401 UNAUTHORIZED without revoking anything", async () => {
		const { sessions } = await customerWithSessions(1);
		const s = sessions[0] as Tokens;
		const [header, payload, signature = ""] = s.refreshToken.split(".");
		const flipped = `${header}.${payload}.${signature.slice(0, 5)}${signature[5] === "A" ? "B" : "A"}${signature.slice(6)}`;
		for (const token of [flipped, "garbage", s.accessToken]) {
			expect(await refresh(token)).toMatchObject({ status: 401, body: { code: "UNAUTHORIZED" } });
		}
		expect((await post("/api/customers/refresh", {})).status).toBe(400);
		expect((await sessionRow(sidOf(s.refreshToken)))?.revoked_at).toBeNull();
		await expectAlive(s);
	});
});

describe("parallel refreshes with one token", () => {
	// Every loser reads the session before or after the first revoke lands; only the revoking call may
	// report the reuse, or the answers would match no serial order.
	it("give the answers of a serial order: one new pair, one TOKEN_REUSED, the rest UNAUTHORIZED", async () => {
		const { sessions } = await customerWithSessions(1);
		const s = sessions[0] as Tokens;
		const results = await Promise.all(Array.from({ length: 10 }, () => refresh(s.refreshToken)));
		const tally = results.reduce<Record<string, number>>((acc, r) => {
			const key = String(r.body.code ?? r.status);
			acc[key] = (acc[key] ?? 0) + 1;
			return acc;
		}, {});
		expect(tally).toEqual({ 200: 1, TOKEN_REUSED: 1, UNAUTHORIZED: 8 });
		expect(await sessionRow(sidOf(s.refreshToken))).toMatchObject({ revoked_reason: "token_reuse" });
		const winner = results.find((r) => r.status === 200)?.body as unknown as Tokens;
		await expectDead(winner);
	});

	it("exactly one of ten wins, and the session ends revoked for reuse", async () => {
		const { sessions } = await customerWithSessions(1);
		const s = sessions[0] as Tokens;
		const results = await Promise.all(Array.from({ length: 10 }, () => refresh(s.refreshToken)));
		expect(results.filter((r) => r.status === 200)).toHaveLength(1);
		expect(results.filter((r) => r.body.code === "TOKEN_REUSED").length).toBeGreaterThanOrEqual(1);
		expect(results.every((r) => r.status === 200 || r.status === 401)).toBe(true);
		const row = await sessionRow(sidOf(s.refreshToken));
		expect(row).toMatchObject({ revoked_at: expect.any(Number), revoked_reason: "token_reuse" });
		// As after "winner, then a reuse": the winner's new tokens died with the session.
		await expectDead(results.find((r) => r.status === 200)?.body as unknown as Tokens);
	});
});

describe("refresh token expiry", () => {
	it("works one second before its 30 days are up and is refused at 30 days", async () => {
		const { sessions } = await customerWithSessions(2);
		const [a, b] = sessions as [Tokens, Tokens];
		const exp = Number(decode(a.refreshToken).claims.exp);
		expect(exp - Number(decode(a.refreshToken).claims.iat)).toBe(2_592_000);
		const late = await appAt(exp * 1000)("/api/customers/refresh", jsonPost({ refreshToken: a.refreshToken }));
		expect(late).toMatchObject({ status: 401, body: { code: "UNAUTHORIZED" } });
		const expB = Number(decode(b.refreshToken).claims.exp);
		const justInTime = await appAt((expB - 1) * 1000)(
			"/api/customers/refresh",
			jsonPost({ refreshToken: b.refreshToken }),
		);
		expect(justInTime.status).toBe(200);
		// The expired token revoked nothing: at the real time the session still refreshes.
		expect((await sessionRow(sidOf(a.refreshToken)))?.revoked_at).toBeNull();
		await expectAlive(a);
	});
});

describe("logout", () => {
	it("ends that session only: its refresh and access tokens die, other sessions live on", async () => {
		const { sessions } = await customerWithSessions(2);
		const [a, b] = sessions as [Tokens, Tokens];
		const res = await logout(a.refreshToken);
		expect(res).toMatchObject({ status: 200, body: { success: true, message: expect.any(String) } });
		expect(await sessionRow(sidOf(a.refreshToken))).toMatchObject({ revoked_reason: "logout" });
		await expectDead(a);
		await expectAlive(b);
	});

	it("is idempotent for a genuine token and refuses anything else", async () => {
		const { sessions } = await customerWithSessions(1);
		const s = sessions[0] as Tokens;
		expect((await logout(s.refreshToken)).status).toBe(200);
		const revokedAt = (await sessionRow(sidOf(s.refreshToken)))?.revoked_at;
		expect((await logout(s.refreshToken)).status).toBe(200);
		expect((await sessionRow(sidOf(s.refreshToken)))?.revoked_at).toBe(revokedAt);
		expect(await logout("garbage")).toMatchObject({ status: 401, body: { code: "UNAUTHORIZED" } });
	});

	it("with a rotated-out refresh token still ends the session", async () => {
		const { sessions } = await customerWithSessions(1);
		const s = sessions[0] as Tokens;
		const next = await rotate(s.refreshToken);
		expect((await logout(s.refreshToken)).status).toBe(200);
		await expectDead(next);
	});
});

describe("logout-all", () => {
	it("ends every session of the customer, counts them, and leaves other customers alone", async () => {
		const c = await customerWithSessions(2);
		const registration = { accessToken: c.accessToken, refreshToken: c.refreshToken };
		const other = await customerWithSessions(1);
		const res = await logoutAll(c.sessions[1]?.accessToken as string);
		expect(res).toMatchObject({
			status: 200,
			body: { success: true, message: expect.any(String), sessionsRevoked: 3 },
		});
		for (const s of [registration, ...c.sessions]) {
			expect(await sessionRow(sidOf(s.refreshToken))).toMatchObject({ revoked_reason: "logout_all" });
			await expectDead(s);
		}
		expect(await logoutAll(c.sessions[1]?.accessToken as string)).toMatchObject({ status: 401 });
		await expectAlive(other.sessions[0] as Tokens);
		await expectAlive(other);
	});

	it("counts only sessions still live, and needs an access token", async () => {
		const c = await customerWithSessions(2);
		expect((await logout(c.refreshToken)).status).toBe(200);
		expect((await logoutAll(c.sessions[0]?.accessToken as string)).body.sessionsRevoked).toBe(2);
		expect(await sessionRow(sidOf(c.refreshToken))).toMatchObject({ revoked_reason: "logout" });
		const bare = await answer(post("/api/customers/logout-all", {}));
		expect(bare).toMatchObject({ status: 401, body: { code: "UNAUTHORIZED" } });
		expect(bare.headers.get("www-authenticate")).toBe("Bearer");
	});
});
