import { describe, expect, it } from "vitest";
import { answer } from "../support/answer";
import { uniquePhone } from "../support/api";
import { counterTotal, storedChallenge, storedMarks } from "../support/objects";
import { wrongCode } from "../support/outbox";
import { sendReset } from "../support/password-reset";
import { clientOn, pendingRegistration } from "../support/registration";

/**
 * One client network's wrong codes across every phone: 30 a day
 * (OTP_NETWORK_MAX_FAILED_PER_DAY), on verify-otp and password-reset/verify
 * alike, so a guesser who hops between phones is stopped. Only a counted
 * wrong code keeps its unit. The set-up requests carry no CF-Connecting-IP,
 * which in the test environment skips this limit; the guesses carry one.
 */
const AREA = "312";
const T0 = Date.UTC(2030, 0, 1);
const LIMIT = 30;
const NEW_PASSWORD = "another long passphrase";

const pending = () => pendingRegistration(AREA, T0);

/** An unregistered phone holding a reset decoy: every code is wrong there. */
async function decoy(): Promise<string> {
	const phone = uniquePhone(AREA);
	expect((await sendReset(phone)).status).toBe(200);
	return phone;
}

/** A code's three wrong guesses: the last burns it. All three are counted. */
const BURNED = [
	{ status: 400, body: { code: "OTP_INVALID", attemptsRemaining: 2 } },
	{ status: 400, body: { code: "OTP_INVALID", attemptsRemaining: 1 } },
	{ status: 429, body: { code: "OTP_TOO_MANY_ATTEMPTS" } },
];

describe("wrong codes from one network across phones", () => {
	it("are refused after 30 counted, on verify-otp and password-reset/verify alike; right codes, 404s and 409s keep their unit", {
		timeout: 30_000,
	}, async () => {
		const guesser = clientOn("100.64.7.1");
		const other = clientOn("100.64.7.2");
		const registrations = [];
		for (let i = 0; i < 7; i++) registrations.push(await pending());
		const decoys = [await decoy(), await decoy(), await decoy()];
		const right = await pending();
		const target = await pending();
		const targetDecoy = await decoy();
		const twoLive = uniquePhone(AREA);
		await clientOn("100.64.7.3").send(twoLive);
		await clientOn("100.64.7.4").send(twoLive);

		const guess = async (phone: string, code: string) => answer(guesser.verify(phone, code));
		const guessReset = async (phone: string) => answer(guesser.verifyReset(phone, "123456", NEW_PASSWORD));

		// 21 + 6 counted wrong codes.
		for (const r of registrations) {
			const three = [];
			for (let i = 0; i < 3; i++) three.push(await guess(r.phone, wrongCode(r.code)));
			expect(three).toMatchObject(BURNED);
		}
		for (const phone of decoys.slice(0, 2)) {
			const three = [];
			for (let i = 0; i < 3; i++) three.push(await guessReset(phone));
			expect(three).toMatchObject(BURNED);
		}

		// None of these is a counted wrong code.
		expect((await guess(right.phone, right.code)).status).toBe(201);
		expect((await guess(right.phone, right.code)).body.code).toBe("OTP_NOT_FOUND");
		expect((await guess(uniquePhone(AREA), "123456")).body.code).toBe("OTP_NOT_FOUND");
		expect((await guess(twoLive, "123456")).body.code).toBe("REGISTRATION_ID_REQUIRED");
		expect((await guess(registrations[0]?.phone as string, "123456")).body.code).toBe("OTP_TOO_MANY_ATTEMPTS");
		expect((await guessReset(uniquePhone(AREA))).body.code).toBe("OTP_NOT_FOUND");
		expect(await counterTotal(`guess-day:${guesser.ip}`)).toBe(27);

		// The last three the day allows are still checked.
		const three = [];
		for (let i = 0; i < 3; i++) three.push(await guessReset(decoys[2] as string));
		expect(three).toMatchObject(BURNED);
		expect(await counterTotal(`guess-day:${guesser.ip}`)).toBe(LIMIT);

		// Refused before any code is checked, the right one too (no oracle), and nothing reaches the phone.
		const refused = { status: 429, body: { code: "RATE_LIMITED", message: expect.stringContaining("your network") } };
		for (const res of [
			await guess(target.phone, wrongCode(target.code)),
			await guess(target.phone, target.code),
			await guessReset(targetDecoy),
		]) {
			expect(res).toMatchObject(refused);
			expect(Number(res.retryAfter)).toBeGreaterThan(0);
			expect(Number(res.retryAfter)).toBeLessThanOrEqual(86_400);
		}
		expect(await storedChallenge(target.phone)).toMatchObject({ status: "pending", attempts: 0 });
		expect(await storedMarks(target.phone, "fail")).toEqual([]);
		expect(await storedChallenge(targetDecoy, "reset")).toMatchObject({ status: "pending", attempts: 0 });
		expect(await counterTotal(`guess-day:${guesser.ip}`)).toBe(LIMIT);

		// Another network is not refused.
		expect(await answer(other.verifyReset(targetDecoy, "123456", NEW_PASSWORD))).toMatchObject(BURNED[0] as object);
		expect((await other.verify(target.phone, target.code)).status).toBe(201);
	});
});
