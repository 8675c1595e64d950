import type { Browser, Page, Request as PageRequest } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeTurnstile, DUMMY_TOKEN, TEST_SECRETS } from "../support/fake-turnstile.ts";
import { codeIn } from "../support/fake-twilio.ts";
import { serveFetch } from "../support/serve.ts";
import { type Stack, startStack } from "../support/stack.ts";
import { launch, overflowsHorizontally, seriousViolations, shot, VIEWPORTS, type Viewport, watch } from "./browser.ts";

/**
 * The Turnstile widget on the pages, in Chromium against `wrangler dev`, with
 * Cloudflare's test keys (sitekey 1x00000000000000000000AA always passes,
 * secret 1x0000000000000000000000000000000AA accepts its dummy token). The
 * widget's script is the stand-in the fake Turnstile serves (the real one
 * lives on challenges.cloudflare.com, out of reach here), from its own
 * origin, which the pages' CSP must admit for scripts and frames.
 */

const SITE_KEY = "1x00000000000000000000AA";
const PASSWORD = "correct horse battery staple";
const TOKEN = "cf-turnstile-response";

let fake: Awaited<ReturnType<typeof serveFetch>> | undefined;
let always: Stack | undefined;
let pressure: Stack | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
	fake = await serveFetch(createFakeTurnstile().fetch);
	const vars = (mode: string) => ({
		IP_RATE_LIMITS: "off",
		OTP_RESEND_COOLDOWN_SECONDS: "2",
		TURNSTILE_SECRET_KEY: TEST_SECRETS.pass,
		TURNSTILE_SITE_KEY: SITE_KEY,
		TURNSTILE_VERIFY_URL: `${fake?.url}/turnstile/v0/siteverify`,
		TURNSTILE_SCRIPT_URL: `${fake?.url}/turnstile/v0/api.js`,
		TURNSTILE_MODE: mode,
	});
	[always, pressure, browser] = await Promise.all([startStack(vars("always")), startStack(vars("pressure")), launch()]);
});

afterAll(async () => {
	await Promise.all([browser?.close(), always?.stop(), pressure?.stop()]);
	await fake?.close();
});

async function open(stack: Stack | undefined, viewport: Viewport, path: string) {
	if (!browser || !stack) throw new Error("not started");
	const page = await browser.newPage({ viewport: { width: viewport.width, height: viewport.height } });
	const problems = watch(page);
	await page.goto(`${stack.dev.url}${path}`);
	return { page, problems };
}

/** The JSON bodies the page sent to `/api/customers/<route>`, in order. */
function sentTo(page: Page, route: string): Record<string, unknown>[] {
	const bodies: Record<string, unknown>[] = [];
	page.on("request", (request: PageRequest) => {
		if (new URL(request.url()).pathname === `/api/customers/${route}`)
			bodies.push(JSON.parse(request.postData() ?? "null") as Record<string, unknown>);
	});
	return bodies;
}

/** Answers the page's next request to `route` with `code` (403), as the server does when it wants a challenge. */
async function answerOnce(page: Page, route: string, code: "CAPTCHA_REQUIRED" | "CAPTCHA_FAILED") {
	await page.route(
		`**/api/customers/${route}`,
		(request) =>
			request.fulfill({
				status: 403,
				contentType: "application/json",
				body: JSON.stringify({ success: false, message: "Solve the challenge to continue", code, field: TOKEN }),
			}),
		{ times: 1 },
	);
}

async function code(stack: Stack | undefined, phone: string, n = 1): Promise<string> {
	const deadline = Date.now() + 10_000;
	for (;;) {
		const message = (await stack?.sms(phone))?.[n - 1];
		if (message) return codeIn(message.body);
		if (Date.now() > deadline) throw new Error(`no SMS ${n} to ${phone}`);
		await new Promise((done) => setTimeout(done, 100));
	}
}

const check = (page: Page, id: string) => page.locator(`#${id}`);
const standIn = (page: Page) =>
	page.evaluate(
		() =>
			(window as unknown as { turnstileStandIn?: { renders: { size: string }[]; resets: number } }).turnstileStandIn ??
			null,
	);
const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? null);

async function fillDetails(page: Page, details: { name: string; email: string; phone: string }) {
	await page.getByLabel("Full name").fill(details.name);
	await page.getByLabel("Email").fill(details.email);
	await page.getByLabel("Mobile phone").fill(details.phone);
	await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
}

describe.each(VIEWPORTS)("mode always, at $name width", (viewport) => {
	it("shows the widget up front and sends its token with every code request, a fresh one each time", async () => {
		const phone = `+1415555${String(600 + viewport.width / 10).padStart(4, "0")}`;
		const { page, problems } = await open(always, viewport, "/");
		const sends = sentTo(page, "send-otp");
		const resends = sentTo(page, "resend-otp");
		const details = check(page, "details-check");
		await expect.poll(() => details.isVisible()).toBe(true);
		expect(await page.getByRole("group", { name: "Security check" }).isVisible()).toBe(true);
		await details.getByText("Security check complete.").waitFor();
		expect(await details.locator("iframe").getAttribute("title")).toBe(
			"Widget containing a Cloudflare security challenge",
		);
		// The narrow phone gets the compact widget, so nothing scrolls sideways.
		expect((await standIn(page))?.renders).toEqual([
			{ sitekey: SITE_KEY, size: viewport.width < 400 ? "compact" : "flexible", responseField: false },
		]);
		expect(await overflowsHorizontally(page)).toBe(false);
		expect(await seriousViolations(page)).toEqual([]);
		await shot(page, viewport, "turnstile-always-1-widget");

		await fillDetails(page, { name: "Widget User", email: `widget-${viewport.name}@example.com`, phone });
		await page.getByRole("button", { name: "Send me a code" }).click();
		await page.getByRole("heading", { name: "Enter your code" }).waitFor();
		expect(sends).toEqual([expect.objectContaining({ phone, [TOKEN]: DUMMY_TOKEN })]);
		// The code step has its own widget, for another code.
		await check(page, "code-check").getByText("Security check complete.").waitFor();
		expect(await seriousViolations(page)).toEqual([]);
		await shot(page, viewport, "turnstile-always-2-code-step");

		const resend = page.getByRole("button", { name: /Send a new code/ });
		await expect.poll(() => resend.isEnabled(), { timeout: 10_000 }).toBe(true);
		await resend.click();
		await page.getByText(`We sent a new code to ${phone}.`).waitFor();
		expect(resends).toEqual([expect.objectContaining({ [TOKEN]: DUMMY_TOKEN })]);
		// Each token is spent by the request that carried it: both widgets were reset.
		expect((await standIn(page))?.resets).toBe(2);

		await page.getByLabel("6-digit code").fill(await code(always, phone, 2));
		await page.getByRole("heading", { name: "Welcome!" }).waitFor();
		expect(await page.locator("#account").textContent()).toContain(phone);
		expect(problems).toEqual([]);
		await page.close();
	});
});

describe("mode pressure", () => {
	const viewport = VIEWPORTS[1];

	it("shows no widget until an answer asks for one, then the retry with its token goes through", async () => {
		const phone = "+14155550711";
		const { page, problems } = await open(pressure, viewport, "/");
		const sends = sentTo(page, "send-otp");
		await page.waitForLoadState("networkidle");
		expect(await check(page, "details-check").isVisible()).toBe(false);
		expect(await standIn(page)).toBeNull();
		expect(await page.locator("iframe").count()).toBe(0);

		await answerOnce(page, "send-otp", "CAPTCHA_REQUIRED");
		await fillDetails(page, { name: "Pressed User", email: "pressed@example.com", phone });
		await page.getByRole("button", { name: "Send me a code" }).click();
		await page.getByRole("alert").getByText("Complete the security check below, then try again.").waitFor();
		const details = check(page, "details-check");
		await details.getByText("Security check complete.").waitFor();
		// Focus sits just before the widget: the keyboard reaches it, then the button.
		expect(await focusedId(page)).toBe("details-check");
		expect(await seriousViolations(page)).toEqual([]);
		await shot(page, viewport, "turnstile-pressure-1-asked");

		for (let i = 0; i < 4 && (await focusedId(page)) !== "send"; i++) await page.keyboard.press("Tab");
		expect(await focusedId(page)).toBe("send");
		await page.keyboard.press("Enter");
		await page.getByRole("heading", { name: "Enter your code" }).waitFor();
		expect(sends).toEqual([
			expect.not.objectContaining({ [TOKEN]: expect.anything() }),
			expect.objectContaining({ phone, [TOKEN]: DUMMY_TOKEN }),
		]);
		// Nothing asked for a challenge in the code step: its widget stays hidden.
		expect(await check(page, "code-check").isVisible()).toBe(false);
		await page.getByLabel("6-digit code").fill(await code(pressure, phone));
		await page.getByRole("heading", { name: "Welcome!" }).waitFor();
		expect(problems).toEqual([]);
		await page.close();
	});

	it("signs in after CAPTCHA_REQUIRED and a refused token, with the widget's next token each time", async () => {
		const customer = await registerByApi(pressure, "+14155550712", "signs-in@example.com");
		const { page, problems } = await open(pressure, viewport, "/login");
		const logins = sentTo(page, "login");
		expect(await check(page, "login-check").isVisible()).toBe(false);
		await page.getByLabel("Email or mobile phone").fill(customer.email);
		await page.getByLabel("Password", { exact: true }).fill(PASSWORD);

		await answerOnce(page, "login", "CAPTCHA_REQUIRED");
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.getByRole("alert").getByText("Complete the security check below, then try again.").waitFor();
		const widget = check(page, "login-check");
		await widget.getByText("Security check complete.").waitFor();
		expect(await seriousViolations(page)).toEqual([]);
		await shot(page, viewport, "turnstile-login-1-asked");

		await answerOnce(page, "login", "CAPTCHA_FAILED");
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.getByRole("alert").getByText("The security check did not pass.", { exact: false }).waitFor();
		await widget.getByText("Security check complete.").waitFor();

		await page.getByRole("button", { name: "Sign in" }).click();
		await page.getByRole("heading", { name: "Your account" }).waitFor();
		expect(logins.map((body) => body[TOKEN])).toEqual([undefined, DUMMY_TOKEN, DUMMY_TOKEN]);
		expect((await standIn(page))?.resets).toBe(2);
		expect(problems).toEqual([]);
		await page.close();
	});
});

describe("the pages' CSP with the widget", () => {
	it("admits the widget's origin for scripts and frames on / and /login only", async () => {
		const origin = new URL(fake?.url ?? "").origin;
		for (const path of ["/", "/login"]) {
			const csp = (await fetch(`${always?.dev.url}${path}`)).headers.get("content-security-policy") ?? "";
			expect(csp).toContain(`script-src 'self' ${origin};`);
			expect(csp).toContain(`frame-src ${origin};`);
			expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|nonce/);
		}
		for (const path of ["/docs", "/assets/register.js", "/openapi.json"]) {
			const csp = (await fetch(`${always?.dev.url}${path}`)).headers.get("content-security-policy") ?? "";
			expect(csp).toContain("script-src 'self';");
			expect(csp).not.toContain(origin);
			expect(csp).not.toContain("frame-src");
		}
	});
});

/** A customer registered over the API (mode pressure: no token needed to send). */
async function registerByApi(stack: Stack | undefined, phone: string, email: string) {
	const post = (path: string, body: unknown) =>
		fetch(`${stack?.dev.url}/api/customers/${path}`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify(body),
		});
	const sent = await post("send-otp", { name: "Sign In", email, phone, password: PASSWORD });
	expect(sent.status).toBe(200);
	const { registrationId } = (await sent.json()) as { registrationId: string };
	const verified = await post("verify-otp", { phone, registrationId, otp: await code(stack, phone) });
	expect(verified.status).toBe(201);
	return { phone, email };
}
