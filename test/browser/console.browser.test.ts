import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../support/stack.ts";
import { launch, overflowsHorizontally, seriousViolations, VIEWPORTS, type Viewport, watch } from "./browser.ts";
import { CONSOLE_TOKEN, CONSOLE_VARS, type RunFacts, simulateRun } from "./console-run.ts";

// The operator console in Chromium at a phone's and a desktop's width, over `wrangler dev`
// after a short simulated run (./console-run.ts). Each chart is screenshotted to test-results/console/.

const SHOTS = join(process.cwd(), "test-results", "console");
mkdirSync(SHOTS, { recursive: true });

const CHARTS = ["chart-series", "chart-country", "chart-range", "chart-failures", "chart-refusals", "protection"];

let stack: Stack | undefined;
let browser: Browser | undefined;
let facts: RunFacts;

beforeAll(async () => {
	[stack, browser] = await Promise.all([startStack(CONSOLE_VARS), launch()]);
	facts = await simulateRun(stack);
});

afterAll(async () => {
	await Promise.all([browser?.close(), stack?.stop()]);
});

async function open(viewport: Viewport): Promise<{ page: Page; problems: string[] }> {
	if (!browser || !stack) throw new Error("not started");
	const page = await browser.newPage({ viewport: { width: viewport.width, height: viewport.height } });
	const problems = watch(page);
	await page.goto(`${stack.dev.url}/admin`);
	return { page, problems };
}

/** Types the token and submits by keyboard; resolves once the charts are drawn. */
async function signIn(page: Page, token = CONSOLE_TOKEN) {
	await page.getByLabel("Admin token").pressSequentially(token);
	await page.getByLabel("Admin token").press("Enter");
}

/** The text of a chart's table (the toggle opened). */
async function tableOf(page: Page, id: string): Promise<string> {
	const section = page.locator(`#${id}`);
	const toggle = section.locator("details.data summary");
	if ((await toggle.count()) > 0 && (await section.locator("details.data").getAttribute("open")) === null)
		await toggle.click();
	return section.locator("table").innerText();
}

const storedAnywhere = (page: Page) =>
	page.evaluate(() => ({
		local: Object.keys(localStorage).length,
		session: Object.keys(sessionStorage).length,
		cookie: document.cookie,
		url: location.href,
		html: document.documentElement.outerHTML,
	}));

describe.each(VIEWPORTS)("the console at $name width ($width px)", (viewport) => {
	it("takes the token by keyboard, keeps it in memory only, and draws every chart from the run", async () => {
		const { page, problems } = await open(viewport);
		expect(await page.getByRole("heading", { level: 1, name: "Operator console" }).isVisible()).toBe(true);
		expect(await seriousViolations(page)).toEqual([]);
		await signIn(page);
		await page.locator("#chart-series svg[role=img]").waitFor();
		await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("console-title");

		// Every chart has its SVG with a title, axis labels, and a table of its numbers.
		for (const id of CHARTS) {
			const svg = page.locator(`#${id} svg[role=img]`);
			expect(await svg.count(), id).toBe(1);
			expect(await svg.locator("title").textContent(), id).not.toBe("");
			expect(await svg.locator(".axis-label").count(), id).toBe(2);
		}
		const series = await tableOf(page, "chart-series");
		expect(series).toContain("SMS sent");
		const sent = await page
			.locator("#chart-series tbody tr")
			.evaluateAll((rows) => rows.reduce((n, row) => n + Number(row.querySelectorAll("td")[0]?.textContent ?? 0), 0));
		expect(sent).toBe(facts.verified + 3 + facts.pumpedSent);
		expect(await page.locator("#chart-series .series-0 circle").count()).toBeGreaterThan(0);

		const byCountry = await tableOf(page, "chart-country");
		expect(byCountry).toMatch(/\+1\s/);
		expect(byCountry).toMatch(/\+44\s/);
		const byRange = await tableOf(page, "chart-range");
		for (const range of ["+1876", "+1415", "+1212", "+44740"]) expect(byRange).toContain(range);
		const failures = await tableOf(page, "chart-failures");
		expect(failures).toContain("30003");
		expect(failures).toContain("21610");
		const refusals = await tableOf(page, "chart-refusals");
		expect(refusals).toContain("range_throttled");
		expect(refusals).toContain(String(facts.pumpedRefused));
		expect(await page.locator("#ranges").innerText()).toContain("+1876");
		// The range's actions are in view without scrolling sideways, at either width.
		const unblock = await page.getByRole("button", { name: "Unblock +1876" }).boundingBox();
		expect((unblock?.x ?? Infinity) + (unblock?.width ?? 0)).toBeLessThanOrEqual(viewport.width);
		expect(await page.locator("#chart-refusals rect.bar").count()).toBeGreaterThan(0);

		// Recent refused sends: the run's range_throttled refusals of +1, in plain words, none observed.
		const recent = page.locator("#recent-refusals-table tbody tr", { hasText: "range_throttled" });
		expect(await recent.count()).toBeGreaterThan(0);
		const throttled = await recent.evaluateAll((rows) =>
			rows.map((row) => [...row.querySelectorAll("th, td")].map((c) => c.textContent ?? "")),
		);
		for (const [hour, code, , reason] of throttled) {
			expect(hour).toMatch(/^\d\d-\d\d \d\d:00$/);
			expect(code).toBe("+1");
			expect(reason).toContain("Range throttled: too many unverified sends to the range");
			expect(reason).not.toContain("would refuse (observe)");
		}
		expect(throttled.reduce((n, r) => n + Number(r[2]), 0)).toBe(facts.pumpedRefused);
		// The list scrolls inside its box: the box is no wider than its card, at either width.
		const card = await page.locator("#recent-refusals").boundingBox();
		const scroller = await page.locator("#recent-refusals .table-scroll").boundingBox();
		expect((scroller?.x ?? 0) + (scroller?.width ?? Infinity)).toBeLessThanOrEqual((card?.x ?? 0) + (card?.width ?? 0));
		expect((card?.x ?? 0) + (card?.width ?? Infinity)).toBeLessThanOrEqual(viewport.width);

		expect(await overflowsHorizontally(page)).toBe(false);
		expect(await seriousViolations(page)).toEqual([]);
		for (const id of [...CHARTS, "recent-refusals"])
			await page.locator(`#${id}`).screenshot({ path: join(SHOTS, `${id}-${viewport.name}.png`) });
		await page.screenshot({ path: join(SHOTS, `page-${viewport.name}.png`), fullPage: true });

		const kept = await storedAnywhere(page);
		expect(kept.local).toBe(0);
		expect(kept.session).toBe(0);
		expect(kept.cookie).toBe("");
		expect(kept.url).not.toContain(CONSOLE_TOKEN);
		expect(kept.html).not.toContain(CONSOLE_TOKEN);
		expect(await page.getByLabel("Admin token").inputValue()).toBe("");
		expect(problems).toEqual([]);
		await page.close();
	});
});

describe("the console's actions and refusals", () => {
	it("is served under the strict policy: scripts and connections from this origin only", async () => {
		const res = await fetch(`${stack?.dev.url}/admin`);
		expect(res.status).toBe(200);
		const csp = res.headers.get("content-security-policy") ?? "";
		expect(csp).toContain("script-src 'self';");
		expect(csp).toContain("connect-src 'self';");
		expect(await res.text()).not.toMatch(/<script(?![^>]*src="\/assets\/admin\.js")/);
	});

	it("refuses a wrong token and asks again", async () => {
		const { page } = await open(VIEWPORTS[1]);
		await signIn(page, "not-the-admin-token");
		await page.getByRole("alert").getByText("That token was not accepted").waitFor();
		expect(await page.locator("#step-console").isHidden()).toBe(true);
		expect(await page.locator("#chart-series svg").count()).toBe(0);
		await page.close();
	});

	it("marks observed rows in the recent refusals, and says when the list is empty or cut", async () => {
		const { page, problems } = await open(VIEWPORTS[0]);
		await signIn(page);
		await page.locator("#recent-refusals-table").waitFor();
		// The window of the controls picks the hours asked for.
		await page.getByLabel("Rates, failures and refusals over").selectOption("hour");
		await expect.poll(() => page.locator("#recent-refusals caption").textContent()).toContain("the last hour");
		// A string, so vitest's transform leaves the page's own dynamic import alone.
		const draw = (recent: unknown) =>
			page.evaluate(`import("/assets/admin-refusals.js").then((m) => m.drawRecentRefusals(${JSON.stringify(recent)}))`);
		const hour = "2031-03-10T12:00:00.000Z";
		await draw({
			hours: 168,
			truncated: true,
			rows: [
				{ hour, reason: "budget", callingCode: "44", count: 7, observed: true },
				{ hour, reason: "a_new_reason", callingCode: "unknown", count: 1, observed: false },
			],
		});
		const rows = page.locator("#recent-refusals-table tbody tr");
		const cells = (n: number) => rows.nth(n).locator("th, td").allTextContents();
		expect(await cells(0)).toEqual([
			"03-10 12:00",
			"+44",
			"7",
			"Hourly SMS budget spent (budget) would refuse (observe)",
		]);
		expect(await rows.nth(0).locator(".tag").isVisible()).toBe(true);
		expect(await cells(1)).toEqual(["03-10 12:00", "unknown", "1", "a_new_reason (a_new_reason)"]);
		expect(await page.locator("#recent-refusals caption").textContent()).toContain("the last week");
		expect(await page.locator("#recent-refusals .hint").textContent()).toBe(
			"The newest 2 rows; older ones are left out.",
		);
		expect(await overflowsHorizontally(page)).toBe(false);
		expect(await seriousViolations(page)).toEqual([]);
		await page.locator("#recent-refusals").screenshot({ path: join(SHOTS, "recent-refusals-observed-phone.png") });

		await draw({ hours: 1, truncated: false, rows: [] });
		expect(await rows.allTextContents()).toEqual(["No refused sends in this window."]);
		expect(await page.locator("#recent-refusals .hint").count()).toBe(0);
		expect(problems).toEqual([]);
		await page.close();
	});

	it("unblocks the pumped range and safe-lists a block of it", async () => {
		const { page, problems } = await open(VIEWPORTS[1]);
		await signIn(page);
		const unblock = page.getByRole("button", { name: "Unblock +1876" });
		await unblock.waitFor();
		expect(await unblock.isEnabled()).toBe(true);
		await unblock.click();
		await page.getByText("+1876 is no longer throttled or blocked").waitFor();
		// Cleared without a safe list, the range leaves the index.
		await expect.poll(() => page.locator("#ranges tbody tr", { hasText: "+1876" }).count()).toBe(0);

		await page.getByLabel("Safe-list a range prefix or a number").pressSequentially("+1 876 555");
		await page.getByLabel("Safe-list a range prefix or a number").press("Enter");
		await page.getByText("+1876555 is on the safe list of +1876.").waitFor();
		const row = page.locator("#ranges tbody tr", { hasText: "+1876" });
		await expect.poll(() => row.innerText()).toContain("+1876555");
		expect(await row.innerText()).toContain("Clear");
		expect(await page.getByRole("button", { name: "Unblock +1876" }).isDisabled()).toBe(true);
		await page.locator("#protection").screenshot({ path: join(SHOTS, "protection-after-actions-desktop.png") });

		// What the page did is what the API now says.
		const res = await fetch(`${stack?.dev.url}/api/admin/protection`, {
			headers: { authorization: `Bearer ${CONSOLE_TOKEN}` },
		});
		const { ranges } = (await res.json()) as { ranges: { range: string; state: string; safe: string[] }[] };
		expect(ranges.find((r) => r.range === "+1876")).toMatchObject({ state: "clear", safe: ["+1876555"] });
		expect(problems).toEqual([]);
		await page.close();
	});
});
