import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { answer } from "../../support/answer";
import { customerCount, login, uniquePhone } from "../../support/api";
import { setClock, storedChallenge } from "../../support/objects";
import { lastCode, smsTo, wrongCode } from "../../support/outbox";
import { resetCode, resetSms, sendReset, verifyReset } from "../../support/password-reset";
import { registeredCustomer, sendOtp, verifyOtp } from "../../support/registration";
import { deleteMe, me, refresh, sessionRows } from "../../support/sessions";

const AREA = "622";
const NEW_PASSWORD = "another long passphrase";

describe("no enumeration", () => {
	it("answers alike for registered and unknown phones, and texts only the registered one", async () => {
		const c = await registeredCustomer(AREA);
		const unknown = uniquePhone(AREA);
		const known = await answer(await sendReset(c.phone));
		expect(known).toMatchObject({ status: 200, body: { success: true, expiresIn: 300 } });
		expect(await answer(await sendReset(unknown))).toEqual(known);

		const texts = await resetSms(c.phone);
		expect(texts).toHaveLength(1);
		expect(texts[0]?.body).toMatch(/^Your Acme password reset code is \d{6}\. /);
		expect(await smsTo(unknown)).toEqual([]);
		// The unknown phone holds a decoy under the same rules, with nobody's details.
		expect(await storedChallenge(unknown, "reset")).toMatchObject({ status: "pending", attempts: 0 });
	});

	it("answers wrong codes at an unknown phone exactly like at a registered one", async () => {
		const c = await registeredCustomer(AREA);
		const unknown = uniquePhone(AREA);
		await sendReset(c.phone);
		await sendReset(unknown);
		const guess = wrongCode(await resetCode(c.phone));
		const answers = { known: [] as unknown[], unknown: [] as unknown[] };
		for (let i = 0; i < 4; i++) {
			answers.known.push(await answer(await verifyReset(c.phone, guess, NEW_PASSWORD)));
			answers.unknown.push(await answer(await verifyReset(unknown, guess, NEW_PASSWORD)));
		}
		expect(answers.unknown).toEqual(answers.known);
		expect(answers.known).toMatchObject([
			{ status: 400, body: { code: "OTP_INVALID", attemptsRemaining: 2 } },
			{ status: 400, body: { code: "OTP_INVALID", attemptsRemaining: 1 } },
			{ status: 429, body: { code: "OTP_TOO_MANY_ATTEMPTS" } },
			{ status: 429, body: { code: "OTP_TOO_MANY_ATTEMPTS" } },
		]);
	});

	it("answers alike when nothing was sent", async () => {
		const c = await registeredCustomer(AREA);
		const known = await answer(await verifyReset(c.phone, "123456", NEW_PASSWORD));
		expect(known).toMatchObject({ status: 404, body: { code: "OTP_NOT_FOUND" } });
		expect(await answer(await verifyReset(uniquePhone(AREA), "123456", NEW_PASSWORD))).toEqual(known);
	});
});

describe("a completed reset", () => {
	it("sets the new password and signs out every session", async () => {
		const c = await registeredCustomer(AREA);
		const second = (await (await login({ email: c.email, password: c.password })).json()) as {
			accessToken: string;
			refreshToken: string;
		};
		expect((await me(c.accessToken)).status).toBe(200);

		await sendReset(c.phone);
		const code = await resetCode(c.phone);
		const res = await verifyReset(c.phone, code, NEW_PASSWORD);
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ success: true, message: expect.any(String) });

		for (const tokens of [c, second]) {
			expect((await me(tokens.accessToken)).status).toBe(401);
			expect((await refresh(tokens.refreshToken)).status).toBe(401);
		}
		const rows = await sessionRows(c.customerId);
		expect(rows).toHaveLength(2);
		for (const row of rows) {
			expect(row.revoked_reason).toBe("password_reset");
			expect(row.revoked_at).toEqual(expect.any(Number));
		}

		expect((await login({ email: c.email, password: c.password })).status).toBe(401);
		const signedIn = await login({ phone: c.phone, password: NEW_PASSWORD });
		expect(signedIn.status).toBe(200);
		const { accessToken } = (await signedIn.json()) as { accessToken: string };
		expect((await me(accessToken)).status).toBe(200);

		// The code is spent.
		const again = await verifyReset(c.phone, code, "yet another passphrase");
		expect(again.status).toBe(404);
		expect((await login({ phone: c.phone, password: NEW_PASSWORD })).status).toBe(200);
	});

	it("counts new-password length in characters, not UTF-16 units", async () => {
		const c = await registeredCustomer(AREA);
		await sendReset(c.phone);
		const emoji = "😀".repeat(65); // 65 characters, 130 UTF-16 units
		expect((await verifyReset(c.phone, await resetCode(c.phone), emoji)).status).toBe(200);
		expect((await login({ email: c.email, password: emoji })).status).toBe(200);
	});
});

describe("invalid requests", () => {
	it("refuses a bad new password or code format without spending an attempt", async () => {
		const c = await registeredCustomer(AREA);
		await sendReset(c.phone);
		const code = await resetCode(c.phone);
		const before = await storedChallenge(c.phone, "reset");

		for (const [otp, newPassword, field] of [
			[code, "short12", "newPassword"],
			[code, "x".repeat(129), "newPassword"],
			[wrongCode(code), "seven77", "newPassword"],
			["12345", NEW_PASSWORD, "otp"],
		] as const) {
			const res = await verifyReset(c.phone, otp, newPassword);
			expect(res.status).toBe(400);
			expect(await res.json()).toMatchObject({ code: "VALIDATION_ERROR", field });
		}
		expect(await storedChallenge(c.phone, "reset")).toEqual(before);
		expect(before).toMatchObject({ status: "pending", attempts: 0 });
		expect((await login({ email: c.email, password: c.password })).status).toBe(200);
		expect((await verifyReset(c.phone, code, NEW_PASSWORD)).status).toBe(200);
	});

	it("refuses a send without a valid phone and stores nothing", async () => {
		const res = await sendReset("555-0100");
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ code: "VALIDATION_ERROR", field: "phone" });
		expect(await storedChallenge("555-0100", "reset")).toBeNull();
	});
});

describe("an account deleted after the code was sent", () => {
	it("cannot be reset, and nothing is created", async () => {
		const c = await registeredCustomer(AREA);
		await sendReset(c.phone);
		const code = await resetCode(c.phone);
		expect((await deleteMe(c.accessToken, { password: c.password })).status).toBe(200);
		const count = await customerCount();

		const res = await verifyReset(c.phone, code, NEW_PASSWORD);
		expect(res.status).toBe(404);
		expect(await res.json()).toMatchObject({ success: false, code: "OTP_NOT_FOUND" });
		expect(await customerCount()).toBe(count);
		expect(await env.DB.prepare("SELECT id FROM customers WHERE phone = ?").bind(c.phone).first()).toBeNull();
		expect((await login({ email: c.email, password: NEW_PASSWORD })).status).toBe(401);
	});

	it("does not reset whoever registers the phone next", async () => {
		const c = await registeredCustomer(AREA);
		await sendReset(c.phone);
		const code = await resetCode(c.phone);
		expect((await deleteMe(c.accessToken, { password: c.password })).status).toBe(200);

		// Past the registration cooldown, someone else takes the number.
		await setClock(c.phone, Date.now() + 31_000);
		const newcomer = { email: `newcomer-${c.customerId}@example.com`, password: "the newcomer's password" };
		expect((await sendOtp(c.phone, newcomer)).status).toBe(200);
		expect((await verifyOtp(c.phone, await lastCode(c.phone))).status).toBe(201);

		expect((await verifyReset(c.phone, code, NEW_PASSWORD)).status).toBe(404);
		expect((await login({ phone: c.phone, password: newcomer.password })).status).toBe(200);
		expect((await login({ phone: c.phone, password: NEW_PASSWORD })).status).toBe(401);
	});
});
