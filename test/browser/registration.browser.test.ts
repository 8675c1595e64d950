import type { APIResponse, Route } from "playwright-core";
import { describe, expect, it } from "vitest";
import { codeIn, MAGIC_NUMBERS } from "../support/fake-twilio.ts";
import { seriousViolations, shot, VIEWPORTS } from "./browser.ts";
import { fillDetails, PASSWORD, pagesUnderTest, recordApi, sendDetails, stored } from "./pages.ts";

// The registration as the page runs it: the email as the next channel, the registration's id, a late poll (see ./pages.ts).

const { open, sms, email, login } = pagesUnderTest();

describe("when the SMS does not arrive", () => {
	// SMS and email are the only channels here (OTP_CHANNELS unset, EMAIL_FALLBACK_ENABLED=true): once the SMS
	// failed, otp-status names email as nextChannel, and the page's one offer is the email.
	it("offers the email (otp-status's nextChannel), and the emailed code registers the customer", async () => {
		const viewport = VIEWPORTS[0];
		const { page, problems } = await open(viewport, "/");
		const calls = recordApi(page);
		const statuses: Record<string, unknown>[] = [];
		page.on("response", (res) => {
			if (new URL(res.url()).pathname !== "/api/customers/otp-status") return;
			res.json().then(
				(body: Record<string, unknown>) => statuses.push(body),
				() => undefined,
			);
		});
		await fillDetails(page, { name: "Grace Hopper", email: "grace@example.com", phone: MAGIC_NUMBERS.unreachable });
		const registrationId = await sendDetails(page);
		await page.getByRole("heading", { name: "Enter your code" }).waitFor();

		// Twilio reports the SMS undelivered; the page learns it from otp-status.
		const byEmail = page.getByRole("button", { name: "Email me the code instead" });
		await byEmail.waitFor({ timeout: 15_000 });
		await page.getByText("The text message could not be delivered.").waitFor();
		await expect.poll(() => statuses.at(-1)).toMatchObject({ deliveries: { sms: "failed" }, nextChannel: "email" });
		await shot(page, viewport, "fallback-1-offer");
		expect(await seriousViolations(page)).toEqual([]);
		// Email shares the SMS cooldown: wait until a resend is allowed.
		await expect.poll(() => page.getByRole("button", { name: /Send a new code/ }).isEnabled()).toBe(true);
		await byEmail.click();
		await page.getByText("We sent a new code to grace@example.com.").waitFor();
		expect(calls.filter((c) => c.path === "resend-otp").map((c) => c.body)).toEqual([
			{ phone: MAGIC_NUMBERS.unreachable, registrationId, channel: "email" },
		]);
		await shot(page, viewport, "fallback-2-emailed");

		await page.getByLabel("6-digit code").pressSequentially(codeIn((await email("grace@example.com")).text ?? ""));
		await page.getByRole("heading", { name: "Welcome!" }).waitFor();
		expect(await page.locator("#account").innerText()).toContain("email");
		await shot(page, viewport, "fallback-3-signed-in");
		expect(problems).toEqual([]);
		await page.close();
	});
});

describe("the registration's id", () => {
	const viewport = VIEWPORTS[1];

	it("is kept in sessionStorage after send-otp, sent with verify, resend and otp-status, and cleared after success", async () => {
		const customer = { name: "Id Keeper", email: "id-keeper@example.com", phone: "+14155550401" };
		const { page, problems } = await open(viewport, "/");
		const calls = recordApi(page);
		await fillDetails(page, customer);
		const registrationId = await sendDetails(page);
		await page.getByRole("heading", { name: "Enter your code" }).waitFor();
		expect(await stored(page)).toEqual({
			phone: customer.phone,
			registrationId,
			email: customer.email,
			channel: "sms",
		});

		const first = codeIn((await sms(customer.phone, 1)).body);
		const codeInput = page.getByLabel("6-digit code");
		await codeInput.pressSequentially(first === "000000" ? "000001" : "000000");
		await page.getByText("That code is not right. 2 attempts left.").waitFor();
		const resend = page.getByRole("button", { name: /Send a new code/ });
		await expect.poll(() => resend.isEnabled(), { timeout: 10_000 }).toBe(true);
		await resend.click();
		await page.getByText(`We sent a new code to ${customer.phone}.`).waitFor();
		// Once the page has seen the delivery, it stops polling: no poll is left to race the verification.
		await page.getByText("Your code was delivered.").waitFor();
		await codeInput.fill(codeIn((await sms(customer.phone, 2)).body));
		await page.getByRole("heading", { name: "Welcome!" }).waitFor();
		expect(await stored(page)).toBeNull();

		const ours = { phone: customer.phone, registrationId };
		expect(calls.filter((c) => c.path === "send-otp").map((c) => c.body?.registrationId)).toEqual([undefined]);
		const statuses = calls.filter((c) => c.path === "otp-status");
		expect(statuses.length).toBeGreaterThan(0);
		for (const call of statuses) expect(call).toMatchObject({ query: {}, body: ours });
		expect(calls.filter((c) => c.path === "resend-otp").map((c) => c.body)).toEqual([{ ...ours, channel: "sms" }]);
		expect(calls.filter((c) => c.path === "verify-otp").map((c) => c.body)).toEqual([
			{ ...ours, otp: expect.any(String) },
			{ ...ours, otp: expect.any(String) },
		]);
		expect(problems).toEqual([]);
		await page.close();
	});

	it("goes with changed details: 'Change my details' edits the same registration, and the newest code registers the new details", async () => {
		const phone = "+14155550402";
		const before = { name: "Before Change", email: "before-change@example.com", phone };
		const after = { name: "After Change", email: "after-change@example.com", password: "the changed passphrase" };
		const { page, problems } = await open(viewport, "/");
		const calls = recordApi(page);
		await fillDetails(page, before);
		const registrationId = await sendDetails(page);
		const sentAt = Date.now();
		await page.getByRole("heading", { name: "Enter your code" }).waitFor();
		await sms(phone, 1);

		await page.getByRole("button", { name: "Change my details" }).click();
		await page.getByRole("heading", { name: "Create your account" }).waitFor();
		await page.getByLabel("Full name").fill(after.name);
		await page.getByLabel("Email").fill(after.email);
		await page.getByLabel("Password", { exact: true }).fill(after.password);
		// A new code for the same registration waits out that registration's cooldown (3 s here).
		await page.waitForTimeout(Math.max(0, sentAt + 3_500 - Date.now()));
		expect(await sendDetails(page)).toBe(registrationId);
		await page.getByRole("heading", { name: "Enter your code" }).waitFor();
		expect(calls.filter((c) => c.path === "send-otp").map((c) => c.body?.registrationId)).toEqual([
			undefined,
			registrationId,
		]);
		expect(await stored(page)).toEqual({ phone, registrationId, email: after.email, channel: "sms" });
		await page.getByText("Your code was delivered.").waitFor();

		await page.getByLabel("6-digit code").fill(codeIn((await sms(phone, 2)).body));
		await page.getByRole("heading", { name: "Welcome!" }).waitFor();
		const account = (await page.locator("#account").textContent()) ?? "";
		expect(account).toContain(after.name);
		expect(account).toContain(after.email);
		expect(account).not.toContain(before.email);
		expect((await login({ email: after.email, password: after.password })).status).toBe(200);
		expect((await login({ email: before.email, password: PASSWORD })).status).toBe(401);
		expect(problems).toEqual([]);
		await page.close();
	});

	it("survives a reload during the code step: the page returns to the code, and the texted code completes it", async () => {
		const customer = { name: "Reload Ruth", email: "reload-ruth@example.com", phone: "+14155550403" };
		const { page, problems } = await open(viewport, "/");
		const calls = recordApi(page);
		await fillDetails(page, customer);
		const statusAnswered = page.waitForResponse((res) => new URL(res.url()).pathname === "/api/customers/otp-status");
		const registrationId = await sendDetails(page);
		await page.getByRole("heading", { name: "Enter your code" }).waitFor();
		const code = codeIn((await sms(customer.phone, 1)).body);
		await statusAnswered;

		const seen = problems.length;
		const callsBefore = calls.length;
		await page.reload();
		await page.getByRole("heading", { name: "Enter your code" }).waitFor();
		// A delivery poll in flight when the page unloads is cut off by the reload itself, not by a defect.
		problems.splice(seen, Infinity, ...problems.slice(seen).filter((p) => !/otp-status.* net::ERR_ABORTED$/.test(p)));
		expect(await page.getByRole("heading", { name: "Create your account" }).isVisible()).toBe(false);
		expect(await page.locator("#code-destination").textContent()).toBe(customer.phone);
		expect(await stored(page)).toMatchObject({ phone: customer.phone, registrationId });
		const ours = { phone: customer.phone, registrationId };
		// The page follows the delivery of that same registration (otp-status needs its id); once delivered, it stops asking.
		await page.getByText("Your code was delivered.").waitFor();
		expect(calls.slice(callsBefore).filter((c) => c.path === "otp-status").length).toBeGreaterThan(0);
		expect(await seriousViolations(page)).toEqual([]);

		await page.getByLabel("6-digit code").pressSequentially(code);
		await page.getByRole("heading", { name: "Welcome!" }).waitFor();
		expect(calls.filter((c) => c.path === "verify-otp").map((c) => c.body)).toEqual([{ ...ours, otp: code }]);
		for (const call of calls.filter((c) => c.path === "otp-status"))
			expect(call).toMatchObject({ query: {}, body: ours });
		expect(await stored(page)).toBeNull();
		expect(problems).toEqual([]);
		await page.close();
	});
});

describe("a delivery poll still on its way when the registration completes", () => {
	it("is answered without a script error", async () => {
		const customer = { name: "Late Poll", email: "late-poll@example.com", phone: "+14155550404" };
		const { page, problems } = await open(VIEWPORTS[1], "/");
		await fillDetails(page, customer);
		const countdownStatus = page.waitForResponse((res) => new URL(res.url()).pathname === "/api/customers/otp-status");
		await sendDetails(page);
		await page.getByRole("heading", { name: "Enter your code" }).waitFor();
		await countdownStatus;

		// The next otp-status (the delivery poll, every 3 s) is answered while the code is pending;
		// its answer reaches the page only once the registration is complete.
		const held: { route: Route; response: APIResponse }[] = [];
		await page.route("**/api/customers/otp-status", async (route) => {
			held.push({ route, response: await route.fetch() });
		});
		await expect.poll(() => held.length, { timeout: 10_000 }).toBeGreaterThan(0);
		await page.getByLabel("6-digit code").pressSequentially(codeIn((await sms(customer.phone, 1)).body));
		await page.getByRole("heading", { name: "Welcome!" }).waitFor();

		const answered = page.waitForResponse((res) => new URL(res.url()).pathname === "/api/customers/otp-status");
		for (const { route, response } of held) await route.fulfill({ response });
		await answered;
		await page.unroute("**/api/customers/otp-status?*");
		// Let the poll's callback run.
		await page.evaluate(() => new Promise((done) => setTimeout(done, 100)));
		expect(problems).toEqual([]);
		await page.close();
	});
});
