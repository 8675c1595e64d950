import { describe, expect, it } from "vitest";
import { codeIn } from "../support/fake-twilio.ts";
import { overflowsHorizontally, seriousViolations, shot, VIEWPORTS } from "./browser.ts";
import { fillDetails, focusedId, PASSWORD, pagesUnderTest } from "./pages.ts";

// The pages at both widths, by keyboard alone, and the headers they carry (see ./pages.ts).

const { baseUrl, open, sms } = pagesUnderTest();

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
		const account = await page.locator("#account").innerText();
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
		expect(await page.locator("#account").innerText()).toContain(customer.email);
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
		const doc = (await (await fetch(`${baseUrl()}/openapi.json`)).json()) as {
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
		// The country picker starts on where the request comes from: miniflare's placeholder says US.
		for (const text of ["kb@example.com", "", "415 555 0999", PASSWORD]) {
			await page.keyboard.press("Tab");
			visited.push((await focusedId(page)) ?? "");
			if (text) await page.keyboard.type(text);
		}
		await page.keyboard.press("Tab");
		visited.push((await focusedId(page)) ?? "");
		expect(visited).toEqual(["name", "email", "country", "phone", "password", "toggle-password"]);
		expect(await page.getByLabel("Country").inputValue()).toBe("US");
		expect(await page.getByLabel("Mobile phone").inputValue()).toBe("(415) 555-0999");
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
			const res = await fetch(`${baseUrl()}${path}`);
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
			const html = await (await fetch(`${baseUrl()}${path}`)).text();
			expect(html).not.toMatch(/(src|href)=["']?https?:\/\//);
		}
	});
});
