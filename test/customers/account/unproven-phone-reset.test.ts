import { describe, expect, it } from "vitest";
import { login, PASSWORD, uniquePhone } from "../../support/api";
import { setClock, storedChallenge } from "../../support/objects";
import { lastCode, lastEmailCode } from "../../support/outbox";
import { resetSms, sendReset, verifyReset } from "../../support/password-reset";
import { resendOtp, sendOtp, verifyOtp } from "../../support/registration";

const T0 = Date.UTC(2031, 2, 1);

/**
 * A customer registered by the email fallback never proved the phone: it may
 * be a stranger's (a mistyped number is the usual reason an SMS never comes).
 * Its owner must not be able to take the account over by SMS reset.
 */
describe("password reset for a phone never proven by SMS", () => {
	it("holds a decoy: no SMS, no code that works, the password stays", async () => {
		const phone = uniquePhone("669");
		await setClock(phone, T0);
		expect((await sendOtp(phone)).status).toBe(200);
		await setClock(phone, T0 + 31_000);
		expect((await resendOtp(phone, "email")).status).toBe(200);
		const email = `${phone.slice(1)}@example.com`;
		expect((await verifyOtp(phone, await lastEmailCode(email))).status).toBe(201);

		await setClock(phone, T0 + 120_000);
		const asked = await sendReset(phone);
		expect(asked.status).toBe(200);
		expect(await resetSms(phone)).toEqual([]);
		const decoy = await storedChallenge(phone, "reset");
		expect(decoy?.status).toBe("pending");
		expect(JSON.parse(String(decoy?.subject))).toEqual({ customerId: null, phone });

		for (const guess of ["000000", "123456", "999999"]) {
			const res = await verifyReset(phone, guess, "a stranger's new password");
			expect(res.status === 400 || res.status === 429).toBe(true);
		}
		expect((await login({ phone, password: PASSWORD })).status).toBe(200);
		expect((await login({ phone, password: "a stranger's new password" })).status).toBe(401);
	});

	it("still texts a customer whose phone was proven", async () => {
		const phone = uniquePhone("689");
		await setClock(phone, T0);
		expect((await sendOtp(phone)).status).toBe(200);
		expect((await verifyOtp(phone, await lastCode(phone))).status).toBe(201);
		await setClock(phone, T0 + 120_000);
		expect((await sendReset(phone)).status).toBe(200);
		expect(await resetSms(phone)).toHaveLength(1);
	});
});
