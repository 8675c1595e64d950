import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { codeIn, codeInTwiml, codeInVariables } from "../support/fake-twilio.ts";
import { eventually } from "../support/wait.ts";
import { overflowsHorizontally, seriousViolations, shot, VIEWPORTS } from "./browser.ts";
import { fillDetails, pagesUnderTest, recordApi, sendDetails } from "./pages.ts";

// The registration page's phone field and code step: the country picker starts where the request
// comes from (request.cf.country, GB here, as wrangler dev hands it to the Worker), the number is
// formatted as typed and goes to the API in E.164, WebOTP fills the code, and a failed delivery
// offers the next channel in the page's language (see ./pages.ts). WhatsApp and calls (to the UK) are on;
// the fake Twilio reports the deliveries by signed callbacks, so otp-status's `nextChannel` is the API's own.

const CONTENT_EN = `HX${"e".repeat(32)}`;
const CONTENT_AR = `HX${"a".repeat(32)}`;

const { open, sms, whatsapp, call, twilio, baseUrl } = pagesUnderTest({
	cf: { country: "GB", asn: 64500, colo: "LHR" },
	vars: {
		OTP_CHANNELS: "sms,whatsapp,call,email",
		OTP_CALL_COUNTRIES: "GB",
		TWILIO_WHATSAPP_FROM: "whatsapp:+15005550006",
		TWILIO_WHATSAPP_CONTENT_SID: `en:${CONTENT_EN},ar:${CONTENT_AR}`,
	},
});

const picker = (page: Page) => page.getByLabel("Country");
const phoneInput = (page: Page) => page.getByLabel("Mobile phone");

/**
 * A WebOTP stand-in (the browser's own needs an SMS on an Android phone):
 * `OTPCredential` exists, and `navigator.credentials.get({ otp })` resolves
 * when the test calls `window.deliverOtp(code)`. It records what the page
 * asked and whether the page gave up waiting.
 */
async function fakeWebOtp(page: Page): Promise<void> {
	await page.addInitScript(() => {
		const w = window as unknown as Record<string, unknown>;
		w.OTPCredential = function OTPCredential() {};
		w.otpAsked = [];
		w.otpAborted = false;
		Object.defineProperty(navigator.credentials, "get", {
			value: (options: { otp?: unknown; signal?: AbortSignal }) =>
				new Promise((resolve, reject) => {
					(w.otpAsked as unknown[]).push(options.otp);
					w.deliverOtp = (code: string) => resolve({ type: "otp", id: "", code });
					options.signal?.addEventListener("abort", () => {
						w.otpAborted = true;
						reject(new DOMException("aborted", "AbortError"));
					});
				}),
		});
	});
}

/** Closes a page whose routes may still be answering a delivery poll. */
async function closeRouted(page: Page): Promise<void> {
	await page.unrouteAll({ behavior: "ignoreErrors" });
	await page.close();
}

/** otp-status as the API answers it, from here (not through the page). */
async function otpStatus(phone: string, registrationId: string): Promise<Record<string, unknown>> {
	const res = await fetch(`${baseUrl()}/api/customers/otp-status`, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({ phone, registrationId }),
	});
	return (await res.json()) as Record<string, unknown>;
}

/** Waits until the resend cooldown lets another code go (the offer shares it with "Send a new code"). */
async function cooledDown(page: Page): Promise<void> {
	await expect
		.poll(() => page.getByRole("button", { name: /Send a new code/ }).isEnabled(), { timeout: 10_000 })
		.toBe(true);
}

describe.each(VIEWPORTS)("at $name width ($width px)", (viewport) => {
	const n = String(viewport.width).padStart(4, "0");
	const customer = { name: `Phone ${viewport.name}`, email: `phone-${viewport.name}@example.com` };

	it("starts on the request's country, formats the national number as typed, and registers it in E.164", async () => {
		const { page, problems } = await open(viewport, "/", { before: fakeWebOtp });
		const calls = recordApi(page);
		expect(await picker(page).inputValue()).toBe("GB");
		expect(await picker(page).locator("option:checked").textContent()).toBe("United Kingdom (+44)");

		await phoneInput(page).pressSequentially("07400");
		expect(await phoneInput(page).inputValue()).toBe("07400");
		await phoneInput(page).pressSequentially(`12${n}`);
		expect(await phoneInput(page).inputValue()).toBe(`07400 12${n}`);
		await phoneInput(page).fill("");
		await fillDetails(page, { ...customer, phone: `07400 12${n}` });
		expect(await phoneInput(page).inputValue()).toBe(`07400 12${n}`);
		expect(await overflowsHorizontally(page)).toBe(false);
		expect(await seriousViolations(page)).toEqual([]);
		await shot(page, viewport, "phone-1-national");

		const e164 = `+44740012${n}`;
		await sendDetails(page);
		await page.getByRole("heading", { name: "Enter your code" }).waitFor();
		expect(await page.locator("#code-destination").textContent()).toBe(e164);
		expect(calls.find((c) => c.path === "send-otp")?.body).toMatchObject({ phone: e164, locale: "en-US" });
		expect(calls.find((c) => c.path === "send-otp")?.body).not.toHaveProperty("country");
		// The page waits for the SMS through WebOTP, and stops waiting once a code is typed and sent.
		expect(await page.evaluate(() => (window as unknown as { otpAsked: unknown[] }).otpAsked)).toEqual([
			{ transport: ["sms"] },
		]);

		await page.getByLabel("6-digit code").pressSequentially(codeIn((await sms(e164, 1)).body));
		await page.getByRole("heading", { name: "Welcome!" }).waitFor();
		expect(await page.evaluate(() => (window as unknown as { otpAborted: boolean }).otpAborted)).toBe(true);
		expect(await page.locator("#account").textContent()).toContain(e164);
		expect(problems).toEqual([]);
		await page.close();
	});
});

describe("a number pasted with its country code", () => {
	it.each([
		["+1 415 555 0199", "US", "(415) 555-0199"],
		["+7 912 345 67 89", "RU", "8 (912) 345-67-89"],
		["0044 7400 123456", "GB", "07400 123456"],
	])("%s switches the picker to %s and shows %s", async (pasted, country, shown) => {
		const { page, problems } = await open(VIEWPORTS[1], "/");
		if (country === "GB") await picker(page).selectOption("FR");
		await phoneInput(page).focus();
		await page.keyboard.insertText(pasted);
		expect(await picker(page).inputValue()).toBe(country);
		expect(await phoneInput(page).inputValue()).toBe(shown);
		expect(problems).toEqual([]);
		await page.close();
	});

	it("keeps a +1 number on Canada when Canada is chosen, and asks for a country for a national number without one", async () => {
		const { page, problems } = await open(VIEWPORTS[0], "/");
		await picker(page).selectOption("CA");
		await phoneInput(page).pressSequentially("+1 6");
		expect(await picker(page).inputValue()).toBe("CA");

		// A number with + picks its country whatever the picker says: empty the field first.
		await phoneInput(page).fill("");
		await picker(page).selectOption("");
		await fillDetails(page, { name: "No Country", email: "no-country@example.com", phone: "07400 123999" });
		expect(await picker(page).inputValue()).toBe("");
		await page.getByRole("button", { name: "Send me a code" }).click();
		await page.getByText("Choose your country, or start the number with + and its country code.").waitFor();
		expect(await phoneInput(page).getAttribute("aria-invalid")).toBe("true");
		expect(problems).toEqual([]);
		await page.close();
	});
});

describe("a failed delivery: the next channel otp-status names", () => {
	it("in en-GB, offers WhatsApp after an undelivered SMS, resends by it, and its code registers", async () => {
		const viewport = VIEWPORTS[1];
		const phone = "+447400124001";
		await twilio().armReceipt(phone, { status: "undelivered", code: "30003" });
		const { page, problems } = await open(viewport, "/", { locale: "en-GB" });
		const calls = recordApi(page);
		await fillDetails(page, { name: "Next en", email: "next-en@example.com", phone: "07400 124001" });
		const registrationId = await sendDetails(page);
		await page.getByRole("heading", { name: "Enter your code" }).waitFor();
		expect(calls.find((c) => c.path === "send-otp")?.body).toMatchObject({ phone, locale: "en-GB" });

		const offer = page.locator("#next-channel");
		await offer.waitFor({ state: "visible", timeout: 15_000 });
		expect(await offer.textContent()).toBe("Send the code by WhatsApp instead");
		expect(await offer.getAttribute("lang")).toBe("en");
		expect(await offer.getAttribute("dir")).toBe("ltr");
		await page.getByText("The text message could not be delivered.").waitFor();
		expect(await otpStatus(phone, registrationId)).toMatchObject({
			deliveries: { sms: "failed" },
			nextChannel: "whatsapp",
		});
		expect(await seriousViolations(page)).toEqual([]);
		expect(await overflowsHorizontally(page)).toBe(false);
		await shot(page, viewport, "phone-next-whatsapp");

		await cooledDown(page);
		await offer.click();
		await page.getByText(`We sent a new code to ${phone}.`).waitFor();
		expect(calls.filter((c) => c.path === "resend-otp").map((c) => c.body)).toEqual([
			{ phone, registrationId, channel: "whatsapp" },
		]);
		expect(await offer.isHidden()).toBe(true);
		const message = await whatsapp(phone, 1);
		expect(message).toMatchObject({ from: "whatsapp:+15005550006", contentSid: CONTENT_EN, body: "" });
		await page.getByText("Your code was delivered.").waitFor({ timeout: 10_000 });

		await page.getByLabel("6-digit code").pressSequentially(codeInVariables(message.contentVariables ?? null));
		await page.getByRole("heading", { name: "Welcome!" }).waitFor();
		expect(await page.locator("#account").textContent()).toContain(phone);
		expect(problems).toEqual([]);
		await page.close();
	});

	it("in ar-EG, offers WhatsApp and then a call in Arabic (rtl) as each fails, and the spoken code registers", async () => {
		const viewport = VIEWPORTS[0];
		const phone = "+447400124002";
		await twilio().armReceipt(phone, { status: "undelivered", code: "30003" });
		await twilio().notOnWhatsApp(phone);
		const { page, problems } = await open(viewport, "/", { locale: "ar-EG" });
		const calls = recordApi(page);
		expect(await picker(page).getAttribute("lang")).toBe("ar");
		const gb = (await picker(page).locator("option:checked").textContent()) ?? "";
		expect(gb).toMatch(/\(\+44\)$/);
		expect(gb).toMatch(/[\u0600-\u06FF]/);
		await fillDetails(page, { name: "Next ar", email: "next-ar@example.com", phone: "07400 124002" });
		const registrationId = await sendDetails(page);
		await page.getByRole("heading", { name: "Enter your code" }).waitFor();
		expect(calls.find((c) => c.path === "send-otp")?.body).toMatchObject({ phone, locale: "ar-EG" });

		const offer = page.locator("#next-channel");
		await offer.waitFor({ state: "visible", timeout: 15_000 });
		expect(await offer.textContent()).toBe("أرسل الرمز عبر واتساب");
		await cooledDown(page);
		await offer.click();
		await page.getByText(`We sent a new code to ${phone}.`).waitFor();
		// The Arabic template; WhatsApp does not know the number, and says so by callback.
		expect(await whatsapp(phone, 1)).toMatchObject({ contentSid: CONTENT_AR });
		await page.getByText("The WhatsApp message could not be delivered.").waitFor({ timeout: 15_000 });
		// "We sent a new code" went with it: the next one can only be the call's.
		expect(await page.getByText(`We sent a new code to ${phone}.`).count()).toBe(0);
		await offer.waitFor({ state: "visible" });
		expect(await offer.textContent()).toBe("اتصل بي لإبلاغي بالرمز");
		expect(await offer.getAttribute("lang")).toBe("ar");
		expect(await offer.getAttribute("dir")).toBe("rtl");
		expect(await otpStatus(phone, registrationId)).toMatchObject({
			deliveries: { sms: "failed", whatsapp: "failed" },
			nextChannel: "call",
		});
		expect(await seriousViolations(page)).toEqual([]);
		expect(await overflowsHorizontally(page)).toBe(false);
		await shot(page, viewport, "phone-next-call");

		await cooledDown(page);
		await offer.click();
		await page.getByText(`We sent a new code to ${phone}.`).waitFor();
		expect(calls.filter((c) => c.path === "resend-otp").map((c) => c.body)).toEqual([
			{ phone, registrationId, channel: "whatsapp" },
			{ phone, registrationId, channel: "call" },
		]);
		const placed = await call(phone, 1);
		await page.getByLabel("6-digit code").pressSequentially(codeInTwiml(placed.twiml));
		await page.getByRole("heading", { name: "Welcome!" }).waitFor();
		expect(problems).toEqual([]);
		await page.close();
	});

	it("offers the next channel too when the SMS is still not delivered after 30 s", async () => {
		const phone = "+447400124004";
		// A carrier that never confirms: `sent`, then nothing.
		await twilio().armReceipt(phone, { status: "sent" });
		const { page, problems } = await open(VIEWPORTS[1], "/", { before: (p) => p.clock.install() });
		await fillDetails(page, { name: "Slow Sam", email: "slow-sam@example.com", phone: "07400 124004" });
		const registrationId = await sendDetails(page);
		await eventually(async () => ((await otpStatus(phone, registrationId)).delivery === "sent" ? true : undefined), {
			what: "the sent receipt",
			timeoutMs: 10_000,
			everyMs: 100,
		});
		const offer = page.locator("#next-channel");
		await page.clock.runFor(20_000);
		await page.getByText("Your code is on its way.").waitFor();
		expect(await offer.isHidden()).toBe(true);
		await page.clock.runFor(13_000);
		await offer.waitFor({ state: "visible" });
		expect(await offer.textContent()).toBe("Send the code by WhatsApp instead");
		expect(problems).toEqual([]);
		await page.close();
	});

	it("offers nothing while nextChannel is null", async () => {
		// Still routed: with this stack's channels, the API names null only once every channel (email too) has
		// been tried for the registration (test/messaging/channel-receipts.test.ts walks the API to null).
		const { page, problems } = await open(VIEWPORTS[1], "/");
		await page.route("**/api/customers/otp-status", async (route) => {
			const response = await route.fetch();
			const real = (await response.json()) as Record<string, unknown>;
			await route.fulfill({
				response,
				json: { ...real, delivery: "failed", deliveries: { sms: "failed" }, nextChannel: null },
			});
		});
		await fillDetails(page, { name: "No Next", email: "no-next@example.com", phone: "07400 124003" });
		await sendDetails(page);
		const polled = page.waitForResponse((res) => new URL(res.url()).pathname === "/api/customers/otp-status");
		await polled;
		await page.getByText("The text message could not be delivered.").waitFor();
		expect(await page.locator("#next-channel").isHidden()).toBe(true);
		expect(problems).toEqual([]);
		await closeRouted(page);
	});
});
