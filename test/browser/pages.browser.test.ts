import type { APIResponse, Browser, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeEmail } from "../fakes/fake-resend.ts";
import { codeIn, type FakeMessage, MAGIC_NUMBERS } from "../fakes/fake-twilio.ts";
import { type Stack, startStack } from "../support/stack.ts";
import { launch, overflowsHorizontally, seriousViolations, shot, VIEWPORTS, type Viewport, watch } from "./browser.ts";

/**
 * The pages in a real browser: Debian's Chromium against `wrangler dev`, with
 * the fake Twilio (which also posts signed delivery callbacks, as a tunnel
 * would bring them) and the fake Resend on loopback. Every step is
 * screenshotted at a phone's and a desktop's width (test-results/browser/).
 */

const PASSWORD = "correct horse battery staple";

let stack: Stack | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
	[stack, browser] = await Promise.all([
		// A countdown the test can wait out; every request comes from 127.0.0.1, so no per-address limits,
		// and the pages' customers share one block (+1 415 555) that the range guard would throttle.
		startStack({
			OTP_RESEND_COOLDOWN_SECONDS: "3",
			IP_RATE_LIMITS: "off",
			SMS_RANGE_UNVERIFIED: "1000",
			SMS_BLOCK_UNVERIFIED: "1000",
		}),
		launch(),
	]);
});

afterAll(async () => {
	await Promise.all([browser?.close(), stack?.stop()]);
});

async function open(viewport: Viewport, path: string): Promise<{ page: Page; problems: string[] }> {
	if (!browser || !stack) throw new Error("not started");
	const page = await browser.newPage({ viewport: { width: viewport.width, height: viewport.height } });
	const problems = watch(page);
	await page.goto(`${stack.dev.url}${path}`);
	return { page, problems };
}

/** The `n`-th SMS to `phone` (1-based), once the fake Twilio has it. */
async function sms(phone: string, n: number): Promise<FakeMessage> {
	return eventually(async () => {
		return (await stack?.sms(phone))?.[n - 1];
	});
}

async function email(to: string): Promise<FakeEmail> {
	return eventually(async () => {
		return (await stack?.emails(to))?.[0];
	});
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error("timed out waiting");
		await new Promise((done) => setTimeout(done, 100));
	}
}

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? null);

async function fillDetails(page: Page, details: { name: string; email: string; phone: string }) {
	await page.getByLabel("Full name").pressSequentially(details.name);
	await page.getByLabel("Email").pressSequentially(details.email);
	await page.getByLabel("Mobile phone").pressSequentially(details.phone);
	await page.getByLabel("Password", { exact: true }).pressSequentially(PASSWORD);
}

describe.each(VIEWPORTS)("at $name width ($width px)", (viewport) => {
	const n = viewport.width;
	const customer = {
		name: `Ada ${viewport.name}`,
		email: `ada-${viewport.name}@example.com`,
		typedPhone: `+1 415 555 ${String(n).padStart(4, "0")}`,
		phone: `+1415555${String(n).padStart(4, "0")}`,
	};

	it("registers by typing in the form: a wrong code, a resend after the countdown, then the right code", async () => {
		const { page, problems } = await open(viewport, "/");
		await shot(page, viewport, "register-1-form");
		expect(await overflowsHorizontally(page)).toBe(false);

		// The policy is on the page before anything is submitted; show/hide toggles the password.
		await expect.poll(() => page.getByText("8 to 128 characters").isVisible()).toBe(true);
		await fillDetails(page, { ...customer, phone: customer.typedPhone });
		const toggle = page.locator("#toggle-password");
		expect(await toggle.textContent()).toBe("Show");
		await toggle.click();
		expect(await toggle.textContent()).toBe("Hide");
		expect(await page.getByLabel("Password", { exact: true }).getAttribute("type")).toBe("text");
		expect(await toggle.getAttribute("aria-pressed")).toBe("true");
		await shot(page, viewport, "register-2-filled");
		await page.getByRole("button", { name: "Send me a code" }).click();

		// The code step takes focus, names the phone as the API normalised it.
		await page.getByRole("heading", { name: "Enter your code" }).waitFor();
		await expect.poll(() => focusedId(page)).toBe("code");
		expect(await page.locator("#code-destination").textContent()).toBe(customer.phone);
		const codeInput = page.getByLabel("6-digit code");
		expect(await codeInput.getAttribute("autocomplete")).toBe("one-time-code");
		expect(await codeInput.getAttribute("inputmode")).toBe("numeric");
		const first = codeIn((await sms(customer.phone, 1)).body);

		await codeInput.pressSequentially(first === "000000" ? "000001" : "000000");
		await page.getByText("That code is not right. 2 attempts left.").waitFor();
		expect(await codeInput.getAttribute("aria-invalid")).toBe("true");
		await shot(page, viewport, "register-3-wrong-code");

		const resend = page.getByRole("button", { name: /Send a new code/ });
		expect(await resend.isDisabled()).toBe(true);
		expect(await resend.textContent()).toMatch(/\(\d+ s\)$/);
		await shot(page, viewport, "register-4-countdown");
		await expect.poll(() => resend.isEnabled(), { timeout: 10_000 }).toBe(true);
		await resend.click();
		await page.getByText(`We sent a new code to ${customer.phone}.`).waitFor();
		const second = codeIn((await sms(customer.phone, 2)).body);

		// Pasting the whole message text leaves the six digits, which go at once.
		await codeInput.fill(`Your code: ${second}`);
		await page.getByRole("heading", { name: "Welcome!" }).waitFor();
		const account = await page.locator("#account").textContent();
		for (const value of [customer.name, customer.email, customer.phone, "text message"])
			expect(account).toContain(value);
		expect(await overflowsHorizontally(page)).toBe(false);
		await shot(page, viewport, "register-5-signed-in");

		await page.getByRole("button", { name: "Sign out" }).click();
		await page.waitForURL(/\/login$/);
		expect(problems).toEqual([]);
		await page.close();
	});

	it("signs in and out, and stays signed in across a reload", async () => {
		const { page, problems } = await open(viewport, "/login");
		await shot(page, viewport, "login-1-form");
		await page.getByLabel("Email or mobile phone").pressSequentially(customer.email);
		await page.getByLabel("Password", { exact: true }).pressSequentially("not the password");
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.getByRole("alert").getByText("The email, phone number or password is not right.").waitFor();
		await shot(page, viewport, "login-2-wrong-password");

		await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.getByRole("heading", { name: "Your account" }).waitFor();
		expect(await page.locator("#account").textContent()).toContain(customer.email);
		await shot(page, viewport, "login-3-account");

		await page.reload();
		await page.getByRole("heading", { name: "Your account" }).waitFor();
		await page.getByRole("button", { name: "Sign out" }).click();
		await page.getByRole("heading", { name: "Sign in" }).waitFor();
		await shot(page, viewport, "login-4-signed-out");
		// Signed out on the server too: a reload finds no session.
		await page.reload();
		await page.getByRole("heading", { name: "Sign in" }).waitFor();
		expect(await page.getByRole("heading", { name: "Your account" }).isVisible()).toBe(false);
		expect(problems).toEqual([]);
		await page.close();
	});

	it("lists every route of the API on /docs, with its error codes, and fits the screen", async () => {
		const { page, problems } = await open(viewport, "/docs");
		await page.getByRole("heading", { level: 1, name: "Customer verification API" }).waitFor();
		await shot(page, viewport, "docs");
		type Operation = { responses: Record<string, { description: string }> };
		const doc = (await (await fetch(`${stack?.dev.url}/openapi.json`)).json()) as {
			paths: Record<string, Record<string, Operation>>;
		};
		const paths = Object.keys(doc.paths);
		expect(paths.length).toBeGreaterThanOrEqual(13);
		const text = await page.locator("main").innerText();
		expect(paths.filter((path) => !text.includes(path))).toEqual([]);
		// Each operation is a region named by its method and path, holding the codes its error responses name.
		for (const [path, item] of Object.entries(doc.paths))
			for (const [method, operation] of Object.entries(item)) {
				const region = page.getByRole("region", { name: `${method.toUpperCase()} ${path}`, exact: true });
				const codes = Object.entries(operation.responses)
					.filter(([status]) => Number(status) >= 400)
					.flatMap(([, response]) => response.description.split(", "));
				const shown = await region.innerText();
				expect(
					codes.filter((code) => !shown.includes(code)),
					`${method} ${path}`,
				).toEqual([]);
			}
		// The contents link to each operation.
		await page
			.getByRole("navigation", { name: "Contents" })
			.getByRole("link", { name: /\/api\/customers\/me$/ })
			.first()
			.click();
		await expect.poll(() => page.evaluate(() => location.hash)).toBe("#op-get-api-customers-me");
		expect(await overflowsHorizontally(page)).toBe(false);
		expect(problems).toEqual([]);
		await page.close();
	});

	it.each(["/", "/login", "/docs"])("has no serious accessibility violations on %s", async (path) => {
		const { page } = await open(viewport, path);
		await page.waitForLoadState("networkidle");
		expect(await seriousViolations(page)).toEqual([]);
		await page.close();
	});
});

describe("when the SMS does not arrive", () => {
	it("offers the email instead, and the emailed code registers the customer", async () => {
		const viewport = VIEWPORTS[0];
		const { page, problems } = await open(viewport, "/");
		await fillDetails(page, { name: "Grace Hopper", email: "grace@example.com", phone: MAGIC_NUMBERS.unreachable });
		await page.getByRole("button", { name: "Send me a code" }).click();
		await page.getByRole("heading", { name: "Enter your code" }).waitFor();

		// Twilio reports the SMS undelivered; the page learns it from otp-status.
		const byEmail = page.getByRole("button", { name: "Email me the code instead" });
		await byEmail.waitFor({ timeout: 15_000 });
		await page.getByText("The text message could not be delivered.").waitFor();
		await shot(page, viewport, "fallback-1-offer");
		expect(await seriousViolations(page)).toEqual([]);
		// Email shares the SMS cooldown: wait until a resend is allowed.
		await expect.poll(() => page.getByRole("button", { name: /Send a new code/ }).isEnabled()).toBe(true);
		await byEmail.click();
		await page.getByText("We sent a new code to grace@example.com.").waitFor();
		await shot(page, viewport, "fallback-2-emailed");

		await page.getByLabel("6-digit code").pressSequentially(codeIn((await email("grace@example.com")).text ?? ""));
		await page.getByRole("heading", { name: "Welcome!" }).waitFor();
		expect(await page.locator("#account").textContent()).toContain("email");
		await shot(page, viewport, "fallback-3-signed-in");
		expect(problems).toEqual([]);
		await page.close();
	});
});

describe("keyboard only", () => {
	it("reaches every field and the submit button in order, and Enter sends the form", async () => {
		const viewport = VIEWPORTS[1];
		const { page, problems } = await open(viewport, "/");
		const order: (string | null)[] = [];
		// Past the header links to the form.
		while ((await focusedId(page)) !== "name") {
			await page.keyboard.press("Tab");
			order.push(await focusedId(page));
			if (order.length > 10) throw new Error(`the name field is not reachable by Tab: ${order.join(", ")}`);
		}
		await page.keyboard.type("Keyboard User");
		const visited = ["name"];
		for (const text of ["kb@example.com", "+1 415 555 0999", PASSWORD]) {
			await page.keyboard.press("Tab");
			visited.push((await focusedId(page)) ?? "");
			await page.keyboard.type(text);
		}
		await page.keyboard.press("Tab");
		visited.push((await focusedId(page)) ?? "");
		expect(visited).toEqual(["name", "email", "phone", "password", "toggle-password"]);
		await page.keyboard.press("Enter"); // on the toggle: shows the password, does not submit
		expect(await page.getByLabel("Password", { exact: true }).getAttribute("type")).toBe("text");
		await page.keyboard.press("Tab");
		expect(await focusedId(page)).toBe("send");
		await page.keyboard.press("Enter");
		await expect.poll(() => focusedId(page), { timeout: 10_000 }).toBe("code");
		expect(problems).toEqual([]);
		await page.close();
	});
});

describe("security headers", () => {
	it.each(["/", "/login", "/assets/app.css", "/docs", "/openapi.json", "/api/customers/me"])(
		"%s carries a CSP and the usual headers",
		async (path) => {
			const res = await fetch(`${stack?.dev.url}${path}`);
			const csp = res.headers.get("content-security-policy") ?? "";
			expect(csp).toContain("default-src 'self'");
			expect(csp).toContain("frame-ancestors 'none'");
			expect(csp).toContain("object-src 'none'");
			expect(csp).not.toContain("unsafe-eval");
			expect(csp).toContain("script-src 'self';");
			expect(csp).not.toMatch(/nonce|unsafe-inline/);
			expect(res.headers.get("x-content-type-options")).toBe("nosniff");
			expect(res.headers.get("x-frame-options")).toBe("DENY");
			expect(res.headers.get("referrer-policy")).toBe("no-referrer");
			expect(res.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
			expect(res.headers.get("x-request-id")).toBeTruthy();
		},
	);

	it("serves no page or script from another origin", async () => {
		for (const path of ["/", "/login", "/docs"]) {
			const html = await (await fetch(`${stack?.dev.url}${path}`)).text();
			expect(html).not.toMatch(/(src|href)=["']?https?:\/\//);
		}
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

interface ApiCall {
	path: string;
	query: Record<string, string>;
	body: Record<string, unknown> | null;
}

/** Every request the page makes to /api/customers/, across reloads, in order. */
function recordApi(page: Page): ApiCall[] {
	const calls: ApiCall[] = [];
	page.on("request", (request) => {
		const url = new URL(request.url());
		if (!url.pathname.startsWith("/api/customers/")) return;
		const data = request.postData();
		calls.push({
			path: url.pathname.slice("/api/customers/".length),
			query: Object.fromEntries(url.searchParams),
			body: data ? (JSON.parse(data) as Record<string, unknown>) : null,
		});
	});
	return calls;
}

/** Submits the details form; the registrationId the API answered. */
async function sendDetails(page: Page): Promise<string> {
	const answered = page.waitForResponse((res) => new URL(res.url()).pathname === "/api/customers/send-otp");
	await page.getByRole("button", { name: "Send me a code" }).click();
	const res = await answered;
	const body = (await res.json()) as { registrationId?: string };
	expect(res.status(), JSON.stringify(body)).toBe(200);
	expect(body.registrationId).toMatch(/^[\w-]{16,}$/);
	return body.registrationId as string;
}

/** What the page keeps of the pending registration in this tab. */
function stored(page: Page): Promise<unknown> {
	return page.evaluate(() => JSON.parse(sessionStorage.getItem("edge-verify.registration") ?? "null"));
}

function login(body: { email: string; password: string }): Promise<Response> {
	return fetch(`${stack?.dev.url}/api/customers/login`, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify(body),
	});
}
