import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { appWith, jsonInit, post, registration } from "../support/api";
import { lastCode, smsTo } from "../support/outbox";
import { expectRefused } from "../support/refusals";
import { resendOtp, sendOtp, verifyOtp } from "../support/registration";

let n = 0;
/** A valid GB mobile no other test uses. */
const gbMobile = () => `+4474006${String(++n).padStart(5, "0")}`;
/** Of a possible length, never valid: a NANP exchange does not start with 0. */
const invalidUs = () => `+14150${String(++n).padStart(6, "0")}`;
/** A UK drama number: possible, never valid, in no one country (GB, GG, IM or JE). */
const dramaUk = () => `+447700900${500 + (++n % 500)}`;
/** A test number of the bindings, invalid (a drama number) yet always accepted. */
const TEST_UK = "+447700900123";
const NOT_VALID = "phone: is not a valid phone number for its country";

/** The app with PHONE_VALIDATION=possible (the Durable Objects keep the bindings' config: they never judge validity). */
const possibleApp = () => appWith({ PHONE_VALIDATION: "possible" });

describe("one phone, however it is spelled", () => {
	it("a GB number typed with its trunk 0 is the number without it", async () => {
		const phone = gbMobile();
		const typed = `+44 0${phone.slice(3, 7)} ${phone.slice(7)}`;
		const sent = await sendOtp(phone, { phone: typed });
		expect(sent.status, await sent.clone().text()).toBe(200);
		expect(await sent.json()).toMatchObject({ phone });
		expect(await smsTo(phone)).toHaveLength(1);
		// The same object answers: the cooldown of the first send holds.
		expect((await resendOtp(`00440${phone.slice(3)}`)).status).toBe(429);
		const verified = await verifyOtp(phone, await lastCode(phone));
		expect(verified.status).toBe(201);
		const row = await env.DB.prepare("SELECT phone FROM customers WHERE phone = ?").bind(phone).first();
		expect(row).toEqual({ phone });
	});
});

describe("a number invalid for its country → 400 VALIDATION_ERROR naming phone", () => {
	const routes: [string, (phone: string) => [string, RequestInit]][] = [
		["send-otp", (phone) => ["send-otp", jsonInit(registration(phone))]],
		["verify-otp", (phone) => ["verify-otp", jsonInit({ phone, otp: "987650" })]],
		["resend-otp", (phone) => ["resend-otp", jsonInit({ phone })]],
		[
			"otp-status",
			(phone) => [`otp-status?phone=${encodeURIComponent(phone)}&registrationId=${"A".repeat(22)}`, { method: "GET" }],
		],
		["password-reset/send-otp", (phone) => ["password-reset/send-otp", jsonInit({ phone })]],
		[
			"password-reset/verify",
			(phone) => ["password-reset/verify", jsonInit({ phone, otp: "987650", newPassword: "a new passphrase" })],
		],
		["login", (phone) => ["login", jsonInit({ phone, password: "correct horse battery" })]],
	];

	it.each(routes)("%s", async (_, request) => {
		for (const phone of [invalidUs(), dramaUk()]) {
			const [path, init] = request(phone);
			const body = await expectRefused(
				`http://localhost/api/customers/${path}`,
				init,
				{ status: 400, code: "VALIDATION_ERROR", field: "phone" },
				phone,
			);
			expect(body.message).toBe(NOT_VALID);
		}
	});

	it("refuses the trunk-0 spelling of an invalid number alike", async () => {
		const phone = dramaUk();
		const res = await sendOtp(phone, { phone: phone.replace("+44", "+440") });
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ code: "VALIDATION_ERROR", field: "phone", message: NOT_VALID });
		expect(await smsTo(phone)).toEqual([]);
	});
});

describe("PHONE_VALIDATION=possible", () => {
	it("lets a possible but invalid number through, in either spelling", async () => {
		const send = possibleApp();
		const phone = dramaUk();
		const sent = await send("/api/customers/send-otp", registration(phone, { phone: phone.replace("+44", "+44 0") }));
		expect(sent.status, await sent.clone().text()).toBe(200);
		expect(await sent.json()).toMatchObject({ phone });
		const verified = await send("/api/customers/verify-otp", { phone, otp: await lastCode(phone) });
		expect(verified.status).toBe(201);
	});

	it("still refuses a number of an impossible length", async () => {
		const res = await possibleApp()("/api/customers/send-otp", registration("+1415555267"));
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({
			code: "VALIDATION_ERROR",
			field: "phone",
			message: "phone: is not a possible phone number: check the country code and the length",
		});
	});
});

describe("TEST_PHONE_NUMBERS", () => {
	it("are accepted however invalid, in any spelling, and never texted", async () => {
		const res = await post("/api/customers/send-otp", registration(TEST_UK, { phone: "+44 07700 900123" }));
		expect(res.status, await res.clone().text()).toBe(200);
		expect(await res.json()).toMatchObject({ phone: TEST_UK });
		expect(await smsTo(TEST_UK)).toEqual([]);
		expect((await verifyOtp(TEST_UK, "654321")).status).toBe(201);
	});
});
