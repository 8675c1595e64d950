import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { answer, statuses } from "../../support/answer";
import { login } from "../../support/api";
import { customerThrottledAt, rightFrom } from "../../support/login-throttle";
import { setThrottleClock, throttleStub } from "../../support/objects";
import { resetCode, sendReset, verifyReset } from "../../support/password-reset";
import { type Customer, registeredCustomer } from "../../support/registration";

const AREA = "620";
const T0 = Date.UTC(2030, 0, 1);
const SECOND = 1000;
const DAY = 86_400 * SECOND;
/** The ceiling's buckets: 1/60 of a day. */
const BUCKET = DAY / 60;
const WRONG = "not the password";

/** A registered customer whose throttle object runs on a clock set to `T0`. */
const customerAtT0 = () => customerThrottledAt(AREA, T0);

/** Without CF-Connecting-IP (outside production) every request is one client network. */
const wrong = (c: { email: string }) => login({ email: c.email, password: WRONG });
const right = (c: Customer) => login({ email: c.email, password: c.password });

async function expectLocked(res: Response, retryAfter: number) {
	expect(res.status).toBe(429);
	expect(res.headers.get("Retry-After")).toBe(String(retryAfter));
	expect(await res.json()).toMatchObject({ success: false, code: "RATE_LIMITED", retryAfter });
}

/** Everything the throttle object for `key` keeps in storage. */
function stored(key: string): Promise<Record<string, unknown>> {
	return runInDurableObject(throttleStub(key), async (_, state) => Object.fromEntries(await state.storage.list()));
}

describe("lock-out of an account from one client network", () => {
	it("locks the network after 5 wrong passwords for 60 s, even against the right password; not another", async () => {
		const c = await customerAtT0();
		expect(await statuses(5, () => wrong(c))).toEqual([401, 401, 401, 401, 401]);
		await expectLocked(await wrong(c), 60);
		await expectLocked(await right(c), 60);
		expect((await rightFrom("100.64.20.1", c)).status).toBe(200);
		await setThrottleClock(c.key, T0 + 59 * SECOND);
		await expectLocked(await right(c), 1);
	});

	it("grows the lock with each failure after a lock ends: 300 s, 900 s, then 900 s again", async () => {
		const c = await customerAtT0();
		await statuses(5, () => wrong(c));
		let now = T0 + 60 * SECOND;
		for (const lock of [300, 900, 900]) {
			await setThrottleClock(c.key, now);
			expect((await wrong(c)).status).toBe(401);
			await expectLocked(await right(c), lock);
			now += lock * SECOND;
		}
		await setThrottleClock(c.key, now);
		expect((await right(c)).status).toBe(200);
		// That success started the network over: five more failures before the next lock.
		expect(await statuses(5, () => wrong(c))).toEqual([401, 401, 401, 401, 401]);
		await expectLocked(await wrong(c), 60);
	});

	it("a success below the threshold starts the count over", async () => {
		const c = await customerAtT0();
		expect(await statuses(4, () => wrong(c))).toEqual([401, 401, 401, 401]);
		expect((await right(c)).status).toBe(200);
		expect(await statuses(5, () => wrong(c))).toEqual([401, 401, 401, 401, 401]);
		await expectLocked(await wrong(c), 60);
	});

	it("locks an unknown account exactly like a known one", async () => {
		const known = await customerAtT0();
		const unknown = { email: `nobody-${known.customerId}-${AREA}@example.com` };
		await setThrottleClock(`unknown:${unknown.email}`, T0);
		const knownAnswers = [];
		const unknownAnswers = [];
		for (let i = 0; i < 6; i++) {
			knownAnswers.push(await answer(await wrong(known)));
			unknownAnswers.push(await answer(await wrong(unknown)));
		}
		expect(unknownAnswers).toEqual(knownAnswers);
		expect(knownAnswers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 429]);
		expect(knownAnswers[0]?.body).toMatchObject({ code: "INVALID_CREDENTIALS" });
		expect(knownAnswers[5]).toMatchObject({ retryAfter: "60", body: { code: "RATE_LIMITED", retryAfter: 60 } });
		// The right password of the known account changes nothing about the answer.
		expect(await answer(await right(known))).toEqual(await answer(await wrong(unknown)));
	});

	it("counts email and phone sign-ins of one customer together", async () => {
		const c = await customerAtT0();
		const formatted = `${c.phone.slice(0, 2)} (${c.phone.slice(2, 5)}) ${c.phone.slice(5, 8)}-${c.phone.slice(8)}`;
		expect(await statuses(3, () => wrong(c))).toEqual([401, 401, 401]);
		expect(await statuses(2, () => login({ phone: formatted, password: WRONG }))).toEqual([401, 401]);
		await expectLocked(await login({ phone: c.phone, password: c.password }), 60);
		await expectLocked(await right(c), 60);
	});

	it("admits only 5 of 20 parallel guesses, and refuses the right password after them", async () => {
		const c = await customerAtT0();
		const results = await Promise.all(Array.from({ length: 20 }, () => wrong(c)));
		const counts = { 401: 0, 429: 0 } as Record<number, number>;
		for (const res of results) counts[res.status] = (counts[res.status] ?? 0) + 1;
		expect(counts).toEqual({ 401: 5, 429: 15 });
		await expectLocked(await right(c), 60);
	});
});

describe("the throttle object's storage", { timeout: 20_000 }, () => {
	it("is deleted by the alarm once the window has passed, and the count starts over", async () => {
		const c = await customerAtT0();
		await statuses(3, () => wrong(c));
		const local = { failures: 3, lockedUntil: 0, lastAttemptAt: T0 };
		expect(await stored(c.key)).toMatchObject({
			throttle: {
				kind: "account",
				account: { networks: { local }, ceiling: { buckets: { [T0 / BUCKET]: 3 }, lockedUntil: 0 } },
			},
		});
		const stub = throttleStub(c.key);

		await setThrottleClock(c.key, T0 + DAY - 1);
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect(await stored(c.key)).toMatchObject({ throttle: { account: { networks: { local: { failures: 3 } } } } });

		await setThrottleClock(c.key, T0 + DAY);
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect(await stored(c.key)).toEqual({});
		expect(await runDurableObjectAlarm(stub)).toBe(false);

		// Three failures were forgotten: five more are admitted before the lock.
		expect(await statuses(5, () => wrong(c))).toEqual([401, 401, 401, 401, 401]);
		await expectLocked(await wrong(c), 60);
	});

	it("keeps the day's failures for the ceiling and the network it trusts after a sign-in, until the alarm", async () => {
		const c = await customerAtT0();
		await statuses(2, () => wrong(c));
		expect((await right(c)).status).toBe(200);
		const { throttle } = (await stored(c.key)) as { throttle: { account: unknown } };
		expect(throttle.account).toEqual({
			networks: {},
			ceiling: { buckets: { [T0 / BUCKET]: 2 }, lockedUntil: 0 },
			trusted: { local: T0 },
		});
		// The day's failures go after a day; the trusted network after 30.
		await setThrottleClock(c.key, T0 + DAY);
		expect(await runDurableObjectAlarm(throttleStub(c.key))).toBe(true);
		expect(((await stored(c.key)) as { throttle: { account: unknown } }).throttle.account).toEqual({
			networks: {},
			ceiling: { buckets: {}, lockedUntil: 0 },
			trusted: { local: T0 },
		});
		await setThrottleClock(c.key, T0 + 30 * DAY);
		expect(await runDurableObjectAlarm(throttleStub(c.key))).toBe(true);
		expect(await stored(c.key)).toEqual({});
	});

	it("remembers at most 100 networks per account, the most recently seen", async () => {
		const key = `unknown:crowd-${Date.now()}@example.com`;
		const stub = throttleStub(key);
		const policy = {
			network: { maxFailures: 5, lockoutsMs: [60 * SECOND], windowMs: DAY },
			ceiling: { maxFailures: 10_000, windowMs: DAY, lockoutMs: 900 * SECOND },
		};
		for (let i = 0; i < 130; i++) {
			await setThrottleClock(key, T0 + i);
			expect(await stub.admitAccount(`net-${i}`, policy, false)).toEqual({ admitted: true, at: T0 + i });
		}
		const { throttle } = (await stored(key)) as { throttle: { account: { networks: Record<string, unknown> } } };
		const networks = Object.keys(throttle.account.networks);
		expect(networks).toHaveLength(100);
		expect(networks).toContain("net-129");
		expect(networks).toContain("net-30");
		expect(networks).not.toContain("net-29");
	});
});

describe("password reset", { timeout: 20_000 }, () => {
	it("clears every network's lock and the ceiling: the new password works at once, anywhere", async () => {
		const c = await registeredCustomer(AREA);
		await statuses(5, () => wrong(c));
		expect((await right(c)).status).toBe(429);
		// Nine more networks lock themselves, and the 50 failures reach the account's ceiling.
		const networks = Array.from({ length: 9 }, (_, i) => `100.64.20.${100 + i}`);
		for (const ip of networks)
			await statuses(5, () => login({ email: c.email, password: WRONG }, { "CF-Connecting-IP": ip }));
		expect((await rightFrom("100.64.20.99", c)).status).toBe(429);

		expect((await sendReset(c.phone)).status).toBe(200);
		const newPassword = "a brand new passphrase";
		expect((await verifyReset(c.phone, await resetCode(c.phone), newPassword)).status).toBe(200);

		const res = await login({ email: c.email, password: newPassword });
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ success: true, customer: { id: c.customerId } });
		const elsewhere = { email: c.email, password: newPassword };
		expect((await login(elsewhere, { "CF-Connecting-IP": networks[0] as string })).status).toBe(200);
		expect((await login(elsewhere, { "CF-Connecting-IP": "100.64.20.98" })).status).toBe(200);
	});
});
