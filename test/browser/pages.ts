import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import type { FakeEmail } from "../support/fake-resend.ts";
import type { FakeCall, FakeMessage } from "../support/fake-twilio.ts";
import { type Stack, startStack } from "../support/stack.ts";
import { eventually } from "../support/wait.ts";
import { launch, type Viewport, watch } from "./browser.ts";

/**
 * The pages in a real browser: Debian's Chromium against `wrangler dev`, with
 * the fake Twilio (which also posts signed delivery callbacks, as a tunnel
 * would bring them) and the fake Resend on loopback. Every step is
 * screenshotted at a phone's and a desktop's width (test-results/browser/).
 */

export const PASSWORD = "correct horse battery staple";

export interface PagesOptions {
	/**
	 * `request.cf` as `wrangler dev` gives it to the Worker (miniflare reads it from
	 * CLOUDFLARE_CF_FETCH_PATH). Without it, miniflare's placeholder (`country: "US"`): vitest sets
	 * NODE_ENV=test, which wrangler inherits, and miniflare then never fetches the real one.
	 */
	cf?: Record<string, unknown>;
	/** More `wrangler dev` vars (channels, say), over the pages' defaults. */
	vars?: Record<string, string>;
}

export interface OpenOptions {
	/** The browser's language (navigator.language), like `ar-EG`. @default "en-US" */
	locale?: string;
	/** Runs before the page loads: `page.route`, `page.addInitScript`. */
	before?: (page: Page) => Promise<void>;
}

/** Starts the stack and the browser before the calling file's tests and stops them after; what the tests use of them. */
export function pagesUnderTest(options: PagesOptions = {}) {
	let stack: Stack | undefined;
	let browser: Browser | undefined;
	const cfDir = options.cf ? mkdtempSync(join(tmpdir(), "cf-")) : undefined;

	beforeAll(async () => {
		if (cfDir) {
			writeFileSync(join(cfDir, "cf.json"), JSON.stringify(options.cf));
			process.env.CLOUDFLARE_CF_FETCH_PATH = join(cfDir, "cf.json");
		}
		const started = Promise.all([
			// A countdown the test can wait out. Every request comes from 127.0.0.1, so no per-address limits; the pages' customers share
			// one block (+1 415 555) that the range guard would throttle.
			startStack({
				OTP_RESEND_COOLDOWN_SECONDS: "3",
				IP_RATE_LIMITS: "off",
				SMS_RANGE_UNVERIFIED: "1000",
				SMS_BLOCK_UNVERIFIED: "1000",
				...options.vars,
			}),
			launch(),
		]);
		try {
			[stack, browser] = await started;
		} finally {
			// Only this stack's wrangler dev reads it; any other of this process keeps miniflare's default.
			delete process.env.CLOUDFLARE_CF_FETCH_PATH;
		}
	});

	afterAll(async () => {
		await Promise.all([browser?.close(), stack?.stop()]);
		if (cfDir) rmSync(cfDir, { recursive: true, force: true });
	});

	/** Where `wrangler dev` listens. */
	const baseUrl = () => stack?.dev.url;

	async function open(
		viewport: Viewport,
		path: string,
		{ locale, before }: OpenOptions = {},
	): Promise<{ page: Page; problems: string[] }> {
		if (!browser || !stack) throw new Error("not started");
		const page = await browser.newPage({ viewport: { width: viewport.width, height: viewport.height }, locale });
		const problems = watch(page);
		await before?.(page);
		await page.goto(`${stack.dev.url}${path}`);
		return { page, problems };
	}

	/** The `n`-th SMS to `phone` (1-based), once the fake Twilio has it. */
	async function sms(phone: string, n: number): Promise<FakeMessage> {
		return eventually(
			async () => {
				return (await stack?.sms(phone))?.[n - 1];
			},
			{ timeoutMs: 10_000, everyMs: 100 },
		);
	}

	/** The `n`-th WhatsApp message to `phone` (1-based), once the fake Twilio has it. */
	function whatsapp(phone: string, n: number): Promise<FakeMessage> {
		return sms(`whatsapp:${phone}`, n);
	}

	/** The `n`-th voice call to `phone` (1-based), once the fake Twilio placed it. */
	async function call(phone: string, n: number): Promise<FakeCall> {
		return eventually(async () => (await stack?.calls(phone))?.[n - 1], { timeoutMs: 10_000, everyMs: 100 });
	}

	/** The fake Twilio's switches: failed or never-confirmed receipts, numbers without WhatsApp. */
	function twilio(): Pick<Stack, "armReceipt" | "notOnWhatsApp"> {
		if (!stack) throw new Error("not started");
		return stack;
	}

	async function email(to: string): Promise<FakeEmail> {
		return eventually(
			async () => {
				return (await stack?.emails(to))?.[0];
			},
			{ timeoutMs: 10_000, everyMs: 100 },
		);
	}

	function login(body: { email: string; password: string }): Promise<Response> {
		return fetch(`${stack?.dev.url}/api/customers/login`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify(body),
		});
	}

	return { baseUrl, open, sms, whatsapp, call, twilio, email, login };
}

export const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? null);

export async function fillDetails(page: Page, details: { name: string; email: string; phone: string }) {
	await page.getByLabel("Full name").pressSequentially(details.name);
	await page.getByLabel("Email").pressSequentially(details.email);
	await page.getByLabel("Mobile phone").pressSequentially(details.phone);
	await page.getByLabel("Password", { exact: true }).pressSequentially(PASSWORD);
}

export interface ApiCall {
	path: string;
	query: Record<string, string>;
	body: Record<string, unknown> | null;
}

/** Every request the page makes to /api/customers/, across reloads, in order. */
export function recordApi(page: Page): ApiCall[] {
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
export async function sendDetails(page: Page): Promise<string> {
	const answered = page.waitForResponse((res) => new URL(res.url()).pathname === "/api/customers/send-otp");
	await page.getByRole("button", { name: "Send me a code" }).click();
	const res = await answered;
	const body = (await res.json()) as { registrationId?: string };
	expect(res.status(), JSON.stringify(body)).toBe(200);
	expect(body.registrationId).toMatch(/^[\w-]{16,}$/);
	return body.registrationId as string;
}

/** What the page keeps of the pending registration in this tab. */
export function stored(page: Page): Promise<unknown> {
	return page.evaluate(() => JSON.parse(sessionStorage.getItem("edge-verify.registration") ?? "null"));
}
