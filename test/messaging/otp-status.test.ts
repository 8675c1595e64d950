import { describe, expect, it } from "vitest";
import { PASSWORD, registration, uniquePhone } from "../support/api";
import { setClock, storedChallenge } from "../support/objects";
import { lastCode, wrongCode } from "../support/outbox";
import { sendOtp, verifyOtp } from "../support/registration";
import { expectRequestId, otpStatus, smsSent } from "../support/status-callbacks";

const AREA = "714";
/** For the tests that move the phone object's clock. */
const CLOCK_AREA = "720";

/** A fresh phone with a code sent by SMS; the SID Twilio gave the message. */
const sent = (area = AREA) => smsSent(area);

describe("otp-status", () => {
	it("an unknown phone: 404 OTP_NOT_FOUND, and no object storage is left behind", async () => {
		const phone = uniquePhone(AREA);
		const res = await otpStatus(phone);
		expect(res.status).toBe(404);
		expect(await res.json()).toMatchObject({ success: false, code: "OTP_NOT_FOUND" });
		expectRequestId(res);
		expect(await storedChallenge(phone)).toBeNull();
	});

	it("right after a send: pending, queued, full attempts, the cooldown, and nothing personal", async () => {
		const { phone } = await sent();
		const code = await lastCode(phone);
		const res = await otpStatus(phone);
		expect(res.status).toBe(200);
		expectRequestId(res);
		const text = await res.text();
		const body = JSON.parse(text) as Record<string, unknown>;
		expect(body).toEqual({
			success: true,
			phone,
			status: "pending",
			channel: "sms",
			delivery: "queued",
			deliveries: { sms: "queued" },
			// The test config enables sms and email only.
			nextChannel: "email",
			expiresIn: expect.any(Number),
			attemptsRemaining: 3,
			resendIn: expect.any(Number),
			emailFallback: true,
		});
		expect(body.expiresIn).toBeGreaterThan(290);
		expect(body.expiresIn).toBeLessThanOrEqual(300);
		// The 30 s cooldown (rounded up at most once more).
		expect(body.resendIn).toBeGreaterThan(25);
		expect(body.resendIn).toBeLessThanOrEqual(31);

		const { name, email } = registration(phone);
		for (const secret of [code, name, email, PASSWORD, "password", "otp"]) {
			expect(text).not.toContain(secret);
		}
	});

	it("attemptsRemaining falls with each wrong code; the status shows locked after the last", async () => {
		const { phone } = await sent();
		const code = await lastCode(phone);
		const remaining = async () =>
			((await (await otpStatus(phone)).json()) as { attemptsRemaining: number }).attemptsRemaining;
		expect(await remaining()).toBe(3);
		expect((await verifyOtp(phone, wrongCode(code))).status).toBe(400);
		expect(await remaining()).toBe(2);
		expect((await verifyOtp(phone, wrongCode(code))).status).toBe(400);
		expect(await remaining()).toBe(1);
		const last = await verifyOtp(phone, wrongCode(code));
		expect(last.status).toBe(429);
		expect(await last.json()).toMatchObject({ code: "OTP_TOO_MANY_ATTEMPTS" });
		const res = await otpStatus(phone);
		expect(await res.json()).toMatchObject({ status: "locked", attemptsRemaining: 0 });
	});

	it("resendIn and expiresIn count down with the object's clock; resendIn is 0 once the cooldown is over", async () => {
		// otp-status reads the object's clock for the state and the Worker's (real) clock for "now":
		// the sends are placed in the past on the object's clock, which is then pinned to the real time.
		const status = async (phone: string) => {
			await setClock(phone, Date.now());
			return (await (await otpStatus(phone)).json()) as { resendIn: number; expiresIn: number; status: string };
		};
		const within = uniquePhone(CLOCK_AREA);
		await setClock(within, Date.now() - 20_000);
		expect((await sendOtp(within)).status).toBe(200);
		const early = await status(within);
		expect(early.status).toBe("pending");
		expect(early.resendIn).toBeGreaterThanOrEqual(9);
		expect(early.resendIn).toBeLessThanOrEqual(11);
		expect(early.expiresIn).toBeGreaterThanOrEqual(279);
		expect(early.expiresIn).toBeLessThanOrEqual(281);

		const over = uniquePhone(CLOCK_AREA);
		await setClock(over, Date.now() - 31_000);
		expect((await sendOtp(over)).status).toBe(200);
		expect(await status(over)).toMatchObject({ status: "pending", resendIn: 0 });
	});
});
