import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { customerRepository } from "../../src/customers/repository";
import { uniquePhone } from "../support/api";
import { challengeStub, setClock, storedChallenge, storedMarks } from "../support/objects";
import { lastCode, smsTo, wrongCode } from "../support/outbox";
import { resendOtp, sendOtp, verifyOtp } from "../support/registration";

const AREA = "636";
const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2030, 0, 1);
/** Just past the 30 s cooldown. */
const GAP = 31 * SECOND;
/** TTL (300 s) plus tombstone period (3600 s) of the test bindings. */
const TOMB_END = 300 * SECOND + HOUR;

async function sendAt(phone: string, at: number): Promise<Response> {
	await setClock(phone, at);
	return sendOtp(phone);
}

async function resendAt(phone: string, at: number): Promise<Response> {
	await setClock(phone, at);
	return resendOtp(phone);
}

/** Five sends an hour (the hourly cap), in hours 0 and 1 after T0: ten in all. Returns the last send's time. */
async function tenSends(phone: string): Promise<number> {
	let at = T0;
	for (const hour of [0, 1])
		for (let i = 0; i < 5; i++) {
			at = T0 + hour * HOUR + i * GAP;
			expect((await sendAt(phone, at)).status).toBe(200);
		}
	return at;
}

/** `count` wrong codes for the pending code of `phone` at the current clock. */
async function guessWrong(phone: string, count: number): Promise<void> {
	const wrong = wrongCode(await lastCode(phone));
	for (let i = 0; i < count; i++) expect((await verifyOtp(phone, wrong)).status).toBeOneOf([400, 429]);
}

async function rateLimited(res: Response, retryAfter: number, message: RegExp): Promise<void> {
	expect(res.status).toBe(429);
	expect(res.headers.get("Retry-After")).toBe(String(retryAfter));
	const body = (await res.json()) as { code: string; message: string; retryAfter: number };
	expect(body).toMatchObject({ code: "RATE_LIMITED", retryAfter });
	expect(body.message).toMatch(message);
}

/** Runs the alarm at `at` on the phone's clock. */
async function alarmAt(phone: string, at: number): Promise<void> {
	await setClock(phone, at);
	expect(await runDurableObjectAlarm(challengeStub(phone))).toBe(true);
}

const CAP = /Too many codes requested/;
const FAILED = /Too many incorrect codes/;

// Requests without CF-Connecting-IP (all of these) count as one client network.
describe("a network's daily share of sends", () => {
	it("allows ten sends a day across hours; the eleventh waits until the first leaves the day", async () => {
		const phone = uniquePhone(AREA);
		await tenSends(phone);
		expect(await smsTo(phone)).toHaveLength(10);

		await rateLimited(await sendAt(phone, T0 + 3 * HOUR), 21 * 3600, CAP);
		await rateLimited(await sendAt(phone, T0 + DAY - SECOND), 1, CAP);
		expect(await smsTo(phone)).toHaveLength(10);

		expect((await sendAt(phone, T0 + DAY)).status).toBe(200);
		expect(await smsTo(phone)).toHaveLength(11);
		// A rolling day: at the end of the cooldown the second send (T0 + 31 s) is still in it, a second later not.
		await rateLimited(await sendAt(phone, T0 + DAY + 30 * SECOND), 1, CAP);
		expect((await sendAt(phone, T0 + DAY + GAP)).status).toBe(200);
	});

	it("the hourly cap still comes first within an hour", async () => {
		const phone = uniquePhone(AREA);
		for (let i = 0; i < 5; i++) expect((await sendAt(phone, T0 + i * GAP)).status).toBe(200);
		await rateLimited(await sendAt(phone, T0 + 5 * GAP), 3600 - 5 * 31, CAP);
	});
});

describe("a network's daily share of wrong codes", () => {
	it("after ten wrong codes over several codes, refuses even the right code and every send until the day passes", async () => {
		const phone = uniquePhone(AREA);
		expect((await sendAt(phone, T0)).status).toBe(200);
		await guessWrong(phone, 3); // burned
		for (const n of [1, 2]) {
			expect((await resendAt(phone, T0 + n * GAP)).status).toBe(200);
			await guessWrong(phone, 3);
		}
		expect((await resendAt(phone, T0 + 3 * GAP)).status).toBe(200);
		const code = await lastCode(phone);
		const tenth = await verifyOtp(phone, wrongCode(code));
		expect(await tenth.json()).toMatchObject({ code: "OTP_INVALID", attemptsRemaining: 2 });

		// The first wrong codes were at T0 (fails are logged on the clock of the guess): they leave the day at T0 + DAY.
		const now = T0 + 3 * GAP;
		await rateLimited(await verifyOtp(phone, code), DAY / SECOND - 3 * 31, FAILED);
		expect(await storedChallenge(phone)).toMatchObject({ status: "pending", attempts: 1 });
		await rateLimited(await resendAt(phone, now + GAP), DAY / SECOND - 4 * 31, FAILED);
		await rateLimited(await sendAt(phone, now + 2 * GAP), DAY / SECOND - 5 * 31, FAILED);
		expect(await smsTo(phone)).toHaveLength(4);

		// A day after the first wrong codes, three of them are gone: sends and codes work again.
		expect((await sendAt(phone, T0 + DAY)).status).toBe(200);
		expect(await smsTo(phone)).toHaveLength(5);
		expect((await verifyOtp(phone, await lastCode(phone))).status).toBe(201);
	});
});

describe("caps survive a consumed registration", () => {
	const forget = (customerId: number) => customerRepository(env.DB).delete(customerId);

	it("keeps the send marks after the code row is gone, then purges once the day is over", async () => {
		const phone = uniquePhone(AREA);
		const last = await tenSends(phone);
		const verified = await verifyOtp(phone, await lastCode(phone));
		expect(verified.status).toBe(201);
		expect(await storedChallenge(phone)).toMatchObject({ status: "consumed" });

		// Past its tombstone period the code (and everything personal) is deleted; the marks stay the day.
		await alarmAt(phone, last + TOMB_END);
		expect(await storedChallenge(phone)).toBeNull();
		expect(await storedMarks(phone, "send")).toHaveLength(10);

		// The customer deleted their account; registering again the same day is still capped.
		await forget(((await verified.json()) as { customerId: number }).customerId);
		await rateLimited(await sendOtp(phone), (T0 + DAY - (last + TOMB_END)) / SECOND, CAP);

		await alarmAt(phone, last + DAY);
		expect(await storedChallenge(phone)).toBeNull();
		expect(await storedMarks(phone, "send")).toEqual([]);
	});

	it("keeps the wrong-code marks after the code row is gone", async () => {
		const phone = uniquePhone(AREA);
		expect((await sendAt(phone, T0)).status).toBe(200);
		await guessWrong(phone, 3);
		for (const n of [1, 2]) {
			expect((await resendAt(phone, T0 + n * GAP)).status).toBe(200);
			await guessWrong(phone, 3);
		}
		expect((await resendAt(phone, T0 + 3 * GAP)).status).toBe(200);
		const verified = await verifyOtp(phone, await lastCode(phone));
		expect(verified.status).toBe(201);

		const later = T0 + 3 * GAP + TOMB_END;
		await alarmAt(phone, later);
		expect(await storedChallenge(phone)).toBeNull();
		expect(await storedMarks(phone, "fail")).toHaveLength(9);

		await forget(((await verified.json()) as { customerId: number }).customerId);
		expect((await sendOtp(phone)).status).toBe(200);
		const code = await lastCode(phone);
		expect((await verifyOtp(phone, wrongCode(code))).status).toBe(400);
		// That was the tenth of the day: the right code is refused now.
		await rateLimited(await verifyOtp(phone, code), (T0 + DAY - later) / SECOND, FAILED);
	});
});
