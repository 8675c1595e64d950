import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { registeredCustomer } from "../support/registration";
import { appAt, bearer, jsonPost, sessionRow, type Tokens } from "../support/sessions";
import { decode, sidOf } from "../support/tokens";

const AREA = "808";
const DAY = 86_400_000;
/** Sign-in time; its milliseconds check that the session's end is counted in whole seconds, like `exp`. */
const T = Date.UTC(2032, 2, 1, 9, 30, 0, 456);
/** wrangler.toml: SESSION_MAX_AGE_SECONDS 90 days, REFRESH_TOKEN_TTL_SECONDS 30 days. */
const END = T + 90 * DAY;
const END_S = Math.floor(END / 1000);

const ENDED = { status: 401, body: { code: "UNAUTHORIZED", message: "The session has ended; sign in again" } };

async function signInAt(ms: number, bindings: Env = env): Promise<Tokens> {
	const c = await registeredCustomer(AREA);
	const res = await appAt(ms, bindings)("/api/customers/login", jsonPost({ email: c.email, password: c.password }));
	expect(res.status, res.text).toBe(200);
	return res.body as unknown as Tokens;
}

async function refreshAt(ms: number, refreshToken: string, bindings: Env = env) {
	return appAt(ms, bindings)("/api/customers/refresh", jsonPost({ refreshToken }));
}

const expOf = (token: string) => Number(decode(token).claims.exp);

describe("a session's absolute lifetime (SESSION_MAX_AGE_SECONDS)", () => {
	it("caps every refresh token at sign-in + max age, then ends the session whatever is presented", async () => {
		let tokens = await signInAt(T);
		expect(expOf(tokens.refreshToken)).toBe(Math.floor(T / 1000) + 30 * 86_400);
		// Refreshed every 29 days: 30 days ahead each time, until the cap.
		for (const day of [29, 58]) {
			const res = await refreshAt(T + day * DAY, tokens.refreshToken);
			expect(res.status, res.text).toBe(200);
			tokens = res.body as unknown as Tokens;
			expect(expOf(tokens.refreshToken)).toBe(Math.floor((T + day * DAY) / 1000) + 30 * 86_400);
		}
		const capped = await refreshAt(T + 87 * DAY, tokens.refreshToken);
		expect(capped.status, capped.text).toBe(200);
		tokens = capped.body as unknown as Tokens;
		expect(expOf(tokens.refreshToken)).toBe(END_S);
		expect((await sessionRow(sidOf(tokens.refreshToken)))?.expires_at).toBe(END_S * 1000);

		// The last second still refreshes, and the new token is capped at the same instant.
		const last = await refreshAt(END_S * 1000 - 1000, tokens.refreshToken);
		expect(last.status, last.text).toBe(200);
		tokens = last.body as unknown as Tokens;
		expect(expOf(tokens.refreshToken)).toBe(END_S);

		// At the end: the refresh token has expired with its session, and says so; access ends too.
		expect(await refreshAt(END_S * 1000, tokens.refreshToken)).toMatchObject(ENDED);
		expect(await refreshAt(END + 5 * DAY, tokens.refreshToken)).toMatchObject(ENDED);
		expect(await appAt(END_S * 1000)("/api/customers/me", bearer(tokens.accessToken))).toMatchObject(ENDED);
	});

	it("caps the first refresh token too when the max age is shorter than its lifetime", async () => {
		const oneDay = { ...env, SESSION_MAX_AGE_SECONDS: "86400" } as Env;
		const tokens = await signInAt(T, oneDay);
		expect(expOf(tokens.refreshToken)).toBe(Math.floor((T + DAY) / 1000));
		const row = await sessionRow(sidOf(tokens.refreshToken));
		expect(row?.expires_at).toBe(Math.floor((T + DAY) / 1000) * 1000);
		expect((await refreshAt(T + DAY - 2000, tokens.refreshToken, oneDay)).status).toBe(200);
	});

	it("ends a session past a lowered max age although its refresh token is still valid, swapping nothing", async () => {
		const tokens = await signInAt(T);
		const before = await sessionRow(sidOf(tokens.refreshToken));
		const oneHour = { ...env, SESSION_MAX_AGE_SECONDS: "3600" } as Env;
		expect(await refreshAt(T + 3_600_000, tokens.refreshToken, oneHour)).toMatchObject(ENDED);
		expect(await sessionRow(sidOf(tokens.refreshToken))).toEqual(before);
		// Under the configured 90 days the same token still works: the refusal revoked nothing.
		expect((await refreshAt(T + 3_600_000, tokens.refreshToken)).status).toBe(200);
	});

	it("still answers an ordinary expired or forged refresh token as invalid or expired", async () => {
		const tokens = await signInAt(T);
		const expired = await refreshAt(T + 30 * DAY, tokens.refreshToken);
		expect(expired).toMatchObject({ status: 401, body: { message: "The refresh token is invalid or expired" } });
		const [header, payload] = tokens.refreshToken.split(".");
		const forged = await refreshAt(END + DAY, `${header}.${payload}.${"A".repeat(43)}`);
		expect(forged).toMatchObject({ status: 401, body: { message: "The refresh token is invalid or expired" } });
	});
});
