import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/errors/errors";

/**
 * /docs, the API reference the Worker renders from its own OpenAPI document:
 * every operation with its error codes, under the strict CSP of every page.
 */

interface Doc {
	paths: Record<
		string,
		Record<
			string,
			{ summary?: string; security?: unknown[]; responses: Record<string, { description: string; content?: unknown }> }
		>
	>;
}

const get = (path: string) => exports.default.fetch(`http://localhost${path}`);

async function load() {
	const [page, doc] = await Promise.all([get("/docs"), get("/openapi.json")]);
	return { res: page, html: await page.text(), doc: (await doc.json()) as Doc };
}

/** The markup of one operation's section, by its fragment identifier. */
function section(html: string, id: string): string {
	const start = html.indexOf(`<section class="op" id="${id}"`);
	expect(start, `no section #${id}`).toBeGreaterThanOrEqual(0);
	return html.slice(start, html.indexOf("</section>", start));
}

const opId = (method: string, path: string) =>
	`op-${method}-${path
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, "-")
		.replace(/^-|-$/g, "")}`;

const escaped = (text: string) =>
	text
		.replaceAll("&", "&amp;")
		.replaceAll("<", "&lt;")
		.replaceAll(">", "&gt;")
		.replaceAll('"', "&quot;")
		.replaceAll("'", "&#39;");

describe("GET /docs", () => {
	it("is an HTML page under the strict CSP: no script, no inline style, nothing from another origin", async () => {
		const { res, html } = await load();
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^text\/html/);
		const csp = res.headers.get("content-security-policy") ?? "";
		expect(csp).toContain("script-src 'self';");
		expect(csp).toContain("style-src 'self';");
		expect(csp).not.toMatch(/nonce|unsafe-inline|unsafe-eval|blob:/);
		expect(res.headers.get("x-content-type-options")).toBe("nosniff");
		expect(res.headers.get("x-frame-options")).toBe("DENY");
		expect(html).toMatch(/^<!doctype html>\s*<html lang="en">/);
		expect(html).not.toMatch(/<script|<style/i);
		for (const tag of html.match(/<[a-z][^>]*>/g) ?? []) expect(tag).not.toMatch(/\s(style|on[a-z]+)=/);
		expect(html).not.toMatch(/(src|href)=["']?https?:\/\//);
		expect(html).toContain('<link rel="stylesheet" href="/assets/docs.css">');
	});

	it("has the landmarks and headings a reader navigates by, a table of contents and the raw document's link", async () => {
		const { html } = await load();
		expect(html).toContain('<main id="main">');
		expect(html).toContain('<nav class="toc" aria-labelledby="toc-title">');
		expect(html.match(/<h1[ >]/g)).toHaveLength(1);
		expect(html).toContain("<h1>Customer verification API</h1>");
		expect(html).toContain('href="/openapi.json"');
		for (const tag of ["Registration", "Sessions", "Account", "Password reset", "Admin", "Webhooks"])
			expect(html).toMatch(new RegExp(`<h2 id="tag-[a-z-]+-title">${tag}</h2>`));
	});

	it("lists every operation of the OpenAPI document, in the contents and with its own section", async () => {
		const { html, doc } = await load();
		const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
			Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
		);
		expect(operations.length).toBeGreaterThanOrEqual(15);
		for (const { path, method, operation } of operations) {
			const id = opId(method, path);
			expect(html, `${method} ${path} in the contents`).toContain(`<a href="#${id}">`);
			const markup = section(html, id);
			expect(markup).toContain(`>${method.toUpperCase()}</span> <code class="path">${path}</code>`);
			expect(markup).toContain(escaped(operation.summary ?? ""));
			expect(markup).toContain(operation.security ? "Bearer token (JWT)" : "<strong>Authorization:</strong> none.");
			for (const status of Object.keys(operation.responses))
				expect(markup, `${path} ${status}`).toContain(`>${status}</span>`);
		}
	});

	it("names every error code each operation can answer, with its default message", async () => {
		const { html, doc } = await load();
		let seen = 0;
		for (const [path, item] of Object.entries(doc.paths))
			for (const [method, operation] of Object.entries(item)) {
				const markup = section(html, opId(method, path));
				for (const [status, response] of Object.entries(operation.responses)) {
					if (Number(status) < 400) continue;
					for (const code of response.description.split(", ") as (keyof typeof ERROR_CODES)[]) {
						expect(ERROR_CODES[code]?.status, `${path} ${status}: ${code}`).toBe(Number(status));
						expect(markup, `${method} ${path}: ${code}`).toContain(
							`<a href="#error-${code.toLowerCase().replaceAll("_", "-")}"><code>${code}</code></a>: ${escaped(ERROR_CODES[code].message)}`,
						);
						seen++;
					}
				}
			}
		expect(seen).toBeGreaterThan(60);
		// The send-otp route answers these beyond the four every route can.
		const sendOtp = section(html, "op-post-api-customers-send-otp");
		for (const code of [
			"COUNTRY_NOT_ALLOWED",
			"CAPTCHA_FAILED",
			"CUSTOMER_EXISTS",
			"SMS_PREFIX_BLOCKED",
			"RATE_LIMITED",
		])
			expect(sendOtp).toContain(`<code>${code}</code>`);
	});

	it("explains every error code once, in the Errors section, with its status", async () => {
		const { html } = await load();
		const errors = html.slice(html.indexOf('<section id="errors"'));
		for (const [code, { status, message }] of Object.entries(ERROR_CODES)) {
			expect(errors).toContain(`<div id="error-${code.toLowerCase().replaceAll("_", "-")}"><dt><code>${code}</code>`);
			expect(errors).toContain(`>${status}</span></dt><dd>${escaped(message)}</dd>`);
		}
	});

	it("draws request bodies from their components: fields, types, required, constraints, examples", async () => {
		const { html } = await load();
		const sendOtp = section(html, "op-post-api-customers-send-otp");
		expect(sendOtp).toContain("Content type <code>application/json</code>, required.");
		expect(sendOtp).toContain('Schema: <span class="type">SendOtpRequest</span>');
		expect(sendOtp).toMatch(
			/<code class="field-name">name<\/code> <span class="type">string<\/span> <strong class="required">required<\/strong>/,
		);
		expect(sendOtp).toMatch(
			/<code class="field-name">registrationId<\/code> <span class="type">string<\/span> <span class="optional">optional<\/span>/,
		);
		expect(sendOtp).toMatch(/<code class="field-name">email<\/code> <span class="type">string \(email\)<\/span>/);
		for (const fact of ["min length 1", "max length 100", "min length 8", "max length 128"])
			expect(sendOtp).toContain(fact);
		expect(sendOtp).toContain("pattern <code>^[A-Za-z0-9_-]{22,64}$</code>");
		expect(sendOtp).toContain("example <code>&quot;Ada Lovelace&quot;</code>");
		expect(sendOtp).toContain(
			"one of <code>&quot;sms&quot;</code>, <code>&quot;whatsapp&quot;</code>, <code>&quot;call&quot;</code>",
		);
		// Query parameters, and a form-encoded body.
		const status = section(html, "op-get-api-customers-otp-status");
		expect(status).toMatch(/<code class="field-name">registrationId<\/code> <span class="in">in query<\/span>/);
		const webhook = section(html, "op-post-api-webhooks-twilio-message-status");
		expect(webhook).toMatch(/<code class="field-name">x-twilio-signature<\/code> <span class="in">in header<\/span>/);
		expect(webhook).toContain("<code>application/x-www-form-urlencoded</code>");
		const calls = section(html, "op-post-api-webhooks-twilio-call-status");
		expect(calls).toMatch(/<code class="field-name">CallSid<\/code>/);
		// allOf merged: the profile's own fields and the verification times.
		const me = section(html, "op-get-api-customers-me");
		for (const field of ["email", "phone", "phoneVerifiedAt", "createdAt"])
			expect(me).toContain(`<code class="field-name">${field}</code>`);
	});

	it("answers HEAD like GET, without a body", async () => {
		const res = await exports.default.fetch("http://localhost/docs", { method: "HEAD" });
		expect(res.status).toBe(200);
		expect(await res.text()).toBe("");
	});
});
