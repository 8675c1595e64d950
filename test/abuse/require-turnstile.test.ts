import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { registration, uniquePhone } from "../support/api";
import { DUMMY_TOKEN, FAKE_INTERNAL_ERROR_TOKEN, TEST_SECRETS } from "../support/fake-turnstile";
import { storedChallenge } from "../support/objects";
import { smsTo } from "../support/outbox";
import { withTurnstile } from "../support/turnstile";

const AREA = "657";
describe("the optional bot check on the routes that send SMS", () => {
	it("admits a token siteverify accepts, from the body or from a header", async () => {
		const call = withTurnstile(TEST_SECRETS.pass);
		const phone = uniquePhone(AREA);
		const res = await call("/api/customers/send-otp", { ...registration(phone), "cf-turnstile-response": DUMMY_TOKEN });
		expect(res.status).toBe(200);
		expect(await smsTo(phone)).toHaveLength(1);
		const other = uniquePhone(AREA);
		const viaHeader = await call("/api/customers/send-otp", registration(other), {
			"cf-turnstile-response": DUMMY_TOKEN,
		});
		expect(viaHeader.status).toBe(200);
	});

	it.each([
		["no token", TEST_SECRETS.pass, undefined],
		["a refused token", TEST_SECRETS.fail, DUMMY_TOKEN],
		["a token already spent", TEST_SECRETS.spent, DUMMY_TOKEN],
	])("refuses %s with 403 CAPTCHA_FAILED, before anything is stored or sent", async (_, secret, token) => {
		const call = withTurnstile(secret);
		const phone = uniquePhone(AREA);
		const body = token ? { ...registration(phone), "cf-turnstile-response": token } : registration(phone);
		const res = await call("/api/customers/send-otp", body);
		expect(res.status).toBe(403);
		expect(await res.json()).toMatchObject({ success: false, code: "CAPTCHA_FAILED", field: "cf-turnstile-response" });
		expect(await smsTo(phone)).toEqual([]);
		expect(await storedChallenge(phone)).toBeNull();
		expect((await call("/api/customers/resend-otp", { phone })).status).toBe(403);
		expect((await call("/api/customers/password-reset/send-otp", { phone })).status).toBe(403);
	});

	it("with TURNSTILE_EXPECTED_HOSTNAME, admits tokens solved there and refuses others with 403", async () => {
		// Cloudflare's dummy sitekeys report example.com, as the fake does.
		const here = withTurnstile(TEST_SECRETS.pass, { TURNSTILE_EXPECTED_HOSTNAME: "example.com" });
		const phone = uniquePhone(AREA);
		const ok = await here("/api/customers/send-otp", { ...registration(phone), "cf-turnstile-response": DUMMY_TOKEN });
		expect(ok.status).toBe(200);
		const elsewhere = withTurnstile(TEST_SECRETS.pass, { TURNSTILE_EXPECTED_HOSTNAME: "verify.acme.test" });
		const other = uniquePhone(AREA);
		const res = await elsewhere("/api/customers/send-otp", {
			...registration(other),
			"cf-turnstile-response": DUMMY_TOKEN,
		});
		expect(res.status).toBe(403);
		expect(await res.json()).toMatchObject({ code: "CAPTCHA_FAILED", field: "cf-turnstile-response" });
		expect(await smsTo(other)).toEqual([]);
	});

	it("fails closed with 503 when siteverify cannot give a verdict", async () => {
		const call = withTurnstile(TEST_SECRETS.pass);
		const phone = uniquePhone(AREA);
		const res = await call("/api/customers/send-otp", {
			...registration(phone),
			"cf-turnstile-response": FAKE_INTERNAL_ERROR_TOKEN,
		});
		expect(res.status).toBe(503);
		expect(await res.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
		expect(await smsTo(phone)).toEqual([]);
	});

	it("leaves the other routes alone, and is off without TURNSTILE_SECRET_KEY", async () => {
		const call = withTurnstile(TEST_SECRETS.fail);
		expect((await call("/api/customers/verify-otp", { phone: uniquePhone(AREA), otp: "123456" })).status).toBe(404);
		const app = createApp();
		const phone = uniquePhone(AREA);
		const res = await app.request(
			"/api/customers/send-otp",
			{ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(registration(phone)) },
			env,
		);
		expect(res.status).toBe(200);
	});
});
