import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

/**
 * Debian's Chromium driven by playwright-core (no browser download: `.ci/run`
 * installs the `chromium` package). The flags keep it from reaching for
 * Google's hosts, which this machine's closed network refuses.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launch(): Promise<Browser> {
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: [
			"--no-sandbox",
			"--disable-gpu",
			"--disable-quic",
			"--no-first-run",
			"--disable-background-networking",
			"--disable-component-update",
			"--disable-sync",
		],
	});
}

export const VIEWPORTS = [
	{ name: "phone", width: 320, height: 640 },
	{ name: "desktop", width: 1280, height: 800 },
] as const;

export type Viewport = (typeof VIEWPORTS)[number];

/** Screenshots go to test-results/browser/ (not committed), one per step and width. */
const SHOTS = join(process.cwd(), "test-results", "browser");
mkdirSync(SHOTS, { recursive: true });

export async function shot(page: Page, viewport: Viewport, step: string): Promise<void> {
	await page.screenshot({ path: join(SHOTS, `${step}-${viewport.name}.png`), fullPage: true });
}

/**
 * Everything the page reported that points at a defect: script errors,
 * console errors (CSP violations among them) and failed requests.
 */
export function watch(page: Page): string[] {
	const problems: string[] = [];
	page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
	page.on("console", (message) => {
		// A 4xx answer the page handles on purpose (a wrong code) is logged by Chromium as a failed resource.
		if (message.type() === "error" && !/status of 4\d\d/.test(message.text()))
			problems.push(`console: ${message.text()}`);
	});
	page.on("requestfailed", (request) => problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`));
	return problems;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
	id: string;
	impact: string | null;
	help: string;
	nodes: { target: string[] }[];
}

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, so the
 * page's CSP, which forbids injected scripts, stays as it is) and returns
 * the serious and critical violations.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
	await page.evaluate(axeSource);
	const violations = await page.evaluate(async () => {
		const axe = (globalThis as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: AxeViolation[] }> } })
			.axe;
		const result = await axe.run(document);
		return result.violations.map((v) => ({
			id: v.id,
			impact: v.impact,
			help: v.help,
			nodes: v.nodes.map((n) => ({ target: n.target })),
		}));
	});
	return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Whether the page fits its viewport: no horizontal scrolling. */
export function overflowsHorizontally(page: Page): Promise<boolean> {
	return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}
