import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { answer } from "../../support/answer";
import { login } from "../../support/api";
import { DUMMY_TOKEN, FAKE_INTERNAL_ERROR_TOKEN, TEST_SECRETS } from "../../support/fake-turnstile";
import { customerThrottledAt } from "../../support/login-throttle";
import { setThrottleClock } from "../../support/objects";
import { registeredCustomer } from "../../support/registration";
import { withTurnstile } from "../../support/turnstile";

const AREA = "628";
const T0 = Date.UTC(2030, 0, 1);
const SECOND = 1000;
const WRONG = "not the password";
const CEILING = Number(env.LOGIN_ACCOUNT_MAX_FAILURES_PER_DAY);
const LOCKOUT_SECONDS = Number(env.LOGIN_ACCOUNT_LOCKOUT_SECONDS);
const PER_NETWORK = 5;

type Call = (body: Record<string, unknown>, headers?: Record<string, string>) => Promise<Response>;

let networks = 0;
/** A client network no other test uses. */
const freshIp = () => `100.65.${Math.floor(++networks / 250)}.${networks % 250}`;

/** Login through the app with Turnstile switched on under `secret` (Cloudflare's documented test secrets). */
function loginWithTurnstile(secret: string): Call {
	const call = withTurnstile(secret);
	return async (body, headers = {}) => call("/api/customers/login", body, headers);
}

/**
 * Wrong passwords for `email` from fresh networks, 5 each (each network then
 * locks), until the ceiling, counting `already` failures made before.
 */
async function reachCeiling(email: string, call: Call = login, already = 0): Promise<void> {
	for (let n = already / PER_NETWORK; n < CEILING / PER_NETWORK; n++) {
		const ip = freshIp();
		for (let i = 0; i < PER_NETWORK; i++) {
			const res = await call({ email, password: WRONG }, { "CF-Connecting-IP": ip });
			expect(res.status, `failure ${n * PER_NETWORK + i + 1}`).toBe(401);
		}
	}
}

const customerAtT0 = () => customerThrottledAt(AREA, T0);

const from = (ip: string, body: Record<string, unknown>, call: Call = login) => call(body, { "CF-Connecting-IP": ip });

describe("the daily ceiling without Turnstile", { timeout: 30_000 }, () => {
	it("locks the account for LOGIN_ACCOUNT_LOCKOUT_SECONDS from every network, then frees it", async () => {
		expect(CEILING % PER_NETWORK).toBe(0);
		const c = await customerAtT0();
		await reachCeiling(c.email);
		const locked = await from(freshIp(), { email: c.email, password: c.password });
		expect(locked.status).toBe(429);
		const retryAfter = Number(locked.headers.get("Retry-After"));
		expect(retryAfter).toBeGreaterThan(0);
		expect(retryAfter).toBeLessThanOrEqual(LOCKOUT_SECONDS);
		expect(await locked.json()).toMatchObject({ code: "RATE_LIMITED", retryAfter });

		await setThrottleClock(`customer:${c.customerId}`, T0 + LOCKOUT_SECONDS * SECOND);
		expect((await from(freshIp(), { email: c.email, password: c.password })).status).toBe(200);
	});

	it("never keeps the owner out of a network they signed in from lately; a new network waits", async () => {
		const c = await customerAtT0();
		const home = freshIp();
		expect((await from(home, { email: c.email, password: c.password })).status).toBe(200);
		await reachCeiling(c.email);
		// Strangers keep the lock renewed: a fresh network is refused...
		expect((await from(freshIp(), { email: c.email, password: c.password })).status).toBe(429);
		// ...but the network the owner signed in from is not held by the ceiling, only by its own count.
		await setThrottleClock(`customer:${c.customerId}`, T0 + SECOND);
		expect((await from(home, { email: c.email, password: WRONG })).status).toBe(401);
		expect((await from(home, { email: c.email, password: c.password })).status).toBe(200);
		expect((await from(freshIp(), { email: c.email, password: c.password })).status).toBe(429);
		// 30 days after its last success the trust has gone.
		await setThrottleClock(`customer:${c.customerId}`, T0 + 31 * 86_400 * SECOND);
		await reachCeiling(c.email);
		expect((await from(home, { email: c.email, password: c.password })).status).toBe(429);
	});

	it("re-locks on each failure after a lock for the same bounded time, never longer", async () => {
		const c = await customerAtT0();
		await reachCeiling(c.email);
		let now = T0;
		for (let i = 0; i < 3; i++) {
			now += LOCKOUT_SECONDS * SECOND;
			await setThrottleClock(`customer:${c.customerId}`, now);
			expect((await from(freshIp(), { email: c.email, password: WRONG })).status).toBe(401);
			const res = await from(freshIp(), { email: c.email, password: c.password });
			expect(res.status).toBe(429);
			expect(res.headers.get("Retry-After")).toBe(String(LOCKOUT_SECONDS));
		}
	});

	it("answers an unknown account exactly like a known one", async () => {
		const known = await customerAtT0();
		const unknown = `nobody-${known.customerId}-${AREA}@example.com`;
		await setThrottleClock(`unknown:${unknown}`, T0);
		await reachCeiling(known.email);
		await reachCeiling(unknown);
		const ip = freshIp();
		const knownAnswer = await answer(await from(ip, { email: known.email, password: known.password }));
		expect(knownAnswer).toMatchObject({ status: 429, retryAfter: String(LOCKOUT_SECONDS) });
		expect(await answer(await from(ip, { email: unknown, password: WRONG }))).toEqual(knownAnswer);
	});
});

describe("the daily ceiling with Turnstile", { timeout: 30_000 }, () => {
	it("asks for nothing below the ceiling", async () => {
		const call = loginWithTurnstile(TEST_SECRETS.pass);
		const c = await registeredCustomer(AREA);
		for (let i = 0; i < 4; i++)
			expect((await from(freshIp(), { email: c.email, password: WRONG }, call)).status).toBe(401);
		expect((await from(freshIp(), { email: c.email, password: c.password }, call)).status).toBe(200);
	});

	it("past the ceiling, asks a sign-in without a token for one (counting nothing) and admits one with a token", async () => {
		const call = loginWithTurnstile(TEST_SECRETS.pass);
		const c = await registeredCustomer(AREA);
		await reachCeiling(c.email, call);
		const ip = freshIp();
		for (let i = 0; i < PER_NETWORK + 1; i++) {
			const res = await from(ip, { email: c.email, password: c.password }, call);
			expect(res.status).toBe(403);
			expect(await res.json()).toMatchObject({ code: "CAPTCHA_REQUIRED", field: "cf-turnstile-response" });
		}
		// Had those refusals counted, this network would be locked by now.
		const withToken = { email: c.email, "cf-turnstile-response": DUMMY_TOKEN };
		for (let i = 0; i < PER_NETWORK - 1; i++)
			expect((await from(ip, { ...withToken, password: WRONG }, call)).status).toBe(401);
		const res = await from(ip, { ...withToken, password: c.password }, call);
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ success: true, customer: { id: c.customerId } });
		// A token in the header does as well; without Turnstile the ceiling would lock instead.
		const viaHeader = await call(
			{ email: c.email, password: c.password },
			{ "CF-Connecting-IP": freshIp(), "cf-turnstile-response": DUMMY_TOKEN },
		);
		expect(viaHeader.status).toBe(200);
	});

	it("refuses a token siteverify refuses (403), fails closed when it cannot answer (503)", async () => {
		const c = await registeredCustomer(AREA);
		await reachCeiling(c.email, loginWithTurnstile(TEST_SECRETS.pass));
		const body = { email: c.email, password: c.password, "cf-turnstile-response": DUMMY_TOKEN };
		const refused = await from(freshIp(), body, loginWithTurnstile(TEST_SECRETS.fail));
		expect(refused.status).toBe(403);
		expect(await refused.json()).toMatchObject({ code: "CAPTCHA_FAILED" });
		const unavailable = await from(
			freshIp(),
			{ ...body, "cf-turnstile-response": FAKE_INTERNAL_ERROR_TOKEN },
			loginWithTurnstile(TEST_SECRETS.pass),
		);
		expect(unavailable.status).toBe(503);
		expect(await unavailable.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
	});

	it("checks the network's lock first: a locked network gets 429, with a token or without", async () => {
		const call = loginWithTurnstile(TEST_SECRETS.pass);
		const c = await registeredCustomer(AREA);
		const ip = freshIp();
		for (let i = 0; i < PER_NETWORK; i++) await from(ip, { email: c.email, password: WRONG }, call);
		await reachCeiling(c.email, call, PER_NETWORK);
		expect((await from(freshIp(), { email: c.email, password: c.password }, call)).status).toBe(403);
		for (const token of [{}, { "cf-turnstile-response": DUMMY_TOKEN }]) {
			const res = await from(ip, { email: c.email, password: c.password, ...token }, call);
			expect(res.status).toBe(429);
			expect(await res.json()).toMatchObject({ code: "RATE_LIMITED", retryAfter: expect.any(Number) });
		}
	});
});
