import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { jsonInit, post, registration, uniquePhone } from "../support/api";
import { lastCode } from "../support/outbox";
import { ENDPOINTS, type Endpoint, type Expected, expectRefused, snapshot, url, validBody } from "../support/refusals";

const AREA = "213";

describe("the request body", () => {
	const refuseAll = (init: (phone: string, endpoint: Endpoint) => RequestInit, expected: Expected) =>
		it.each(ENDPOINTS)("%s", async (endpoint) => {
			const phone = uniquePhone(AREA);
			await expectRefused(url(endpoint), init(phone, endpoint), expected, phone);
		});

	describe("as text/plain → 415", () => {
		refuseAll(
			(phone, endpoint) => ({
				method: "POST",
				headers: { "content-type": "text/plain" },
				body: JSON.stringify(validBody(endpoint, phone)),
			}),
			{ status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
		);
	});

	describe("form-urlencoded → 415", () => {
		refuseAll(
			(phone, endpoint) => ({
				method: "POST",
				headers: { "content-type": "application/x-www-form-urlencoded" },
				body: new URLSearchParams(validBody(endpoint, phone) as Record<string, string>).toString(),
			}),
			{ status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
		);
	});

	describe("without a content type → 415", () => {
		refuseAll(
			(phone, endpoint) => {
				// Bytes, unlike a string, get no default content type.
				const init = { method: "POST", body: new TextEncoder().encode(JSON.stringify(validBody(endpoint, phone))) };
				expect(new Request(url(endpoint), init).headers.get("content-type")).toBeNull();
				return init;
			},
			{ status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
		);
	});

	it.each(["application/json; charset=utf-8", "Application/JSON", "application/vnd.api+json"])(
		"accepts %s",
		async (type) => {
			const phone = uniquePhone(AREA);
			const res = await post("/api/customers/send-otp", registration(phone), { "content-type": type });
			expect(res.status).toBe(200);
		},
	);

	it.each([
		["unclosed", "{"],
		["a trailing comma", '{"phone": "+12125550100",}'],
		["single quotes", "{'phone': '+12125550100'}"],
		["empty", ""],
		["a trailing garbage", '{"phone": "+12125550100"} x'],
	])("malformed JSON (%s) → 400 naming the body", async (_, raw) => {
		for (const endpoint of ENDPOINTS) {
			await expectRefused(url(endpoint), jsonInit(raw), { status: 400, code: "VALIDATION_ERROR", field: "body" });
		}
	});

	it.each([
		["an array", "[]"],
		["an array of the object", JSON.stringify([registration("+12125550100")])],
		["a string", '"hello"'],
		["null", "null"],
		["a number", "42"],
		["true", "true"],
	])("JSON that is %s → 400 naming the body", async (_, raw) => {
		for (const endpoint of ENDPOINTS) {
			const body = await expectRefused(url(endpoint), jsonInit(raw), {
				status: 400,
				code: "VALIDATION_ERROR",
				field: "body",
			});
			expect(body.message).toBe("body: must be a JSON object");
		}
	});

	it("allows unknown extra fields and ignores them", async () => {
		const phone = uniquePhone(AREA);
		const res = await post(
			"/api/customers/send-otp",
			registration(phone, { role: "admin", customerId: 1, phoneVerifiedAt: 0, nested: { a: [1] } }),
		);
		expect(res.status).toBe(200);
		const verified = await post("/api/customers/verify-otp", { phone, otp: await lastCode(phone), extra: true });
		expect(verified.status).toBe(201);
		const row = await env.DB.prepare("SELECT phone_verified_at FROM customers WHERE phone = ?")
			.bind(phone)
			.first<{ phone_verified_at: number }>();
		expect(row?.phone_verified_at).toBeGreaterThan(0);
	});
});

describe("the body size limit", () => {
	/** A send-otp body of exactly `bytes` bytes (the name pads it, so it is valid JSON but an invalid name). */
	function bodyOf(bytes: number, phone: string): string {
		const base = JSON.stringify(registration(phone, { name: "" }));
		const body = JSON.stringify(registration(phone, { name: "x".repeat(bytes - base.length) }));
		expect(new TextEncoder().encode(body).length).toBe(bytes);
		return body;
	}

	it("takes 16384 bytes (then validates), refuses 16385 with 413", async () => {
		const phone = uniquePhone(AREA);
		await expectRefused(
			url("send-otp"),
			jsonInit(bodyOf(16_384, phone)),
			{ status: 400, code: "VALIDATION_ERROR", field: "name" },
			phone,
		);
		await expectRefused(
			url("send-otp"),
			jsonInit(bodyOf(16_385, phone)),
			{ status: 413, code: "PAYLOAD_TOO_LARGE" },
			phone,
		);
	});

	it.each(ENDPOINTS)("refuses a %s body that declares more than 16 KB, without reading it", async (endpoint) => {
		const phone = uniquePhone(AREA);
		const init = jsonInit(validBody(endpoint, phone), { "content-length": "16385" });
		await expectRefused(url(endpoint), init, { status: 413, code: "PAYLOAD_TOO_LARGE" }, phone);
	});

	it("refuses a streamed body without content-length, reading only a little past the limit", async () => {
		const before = await snapshot();
		let produced = 0;
		const chunk = new TextEncoder().encode(" ".repeat(1024));
		const stream = new ReadableStream<Uint8Array>({
			pull(controller) {
				produced += chunk.byteLength;
				controller.enqueue(chunk);
				// Bounded only so a broken limit fails the test instead of hanging it.
				if (produced >= 8 * 1024 * 1024) controller.close();
			},
		});
		const request = new Request(url("send-otp"), {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: stream,
		});
		expect(request.headers.get("content-length")).toBeNull();
		const res = await exports.default.fetch(request);
		expect(res.status).toBe(413);
		expect(await res.json()).toMatchObject({ success: false, code: "PAYLOAD_TOO_LARGE" });
		expect(produced).toBeLessThan(256 * 1024);
		expect(await snapshot()).toEqual(before);
	});
});

describe("routes", () => {
	it.each([
		["POST", "/api/customers/register"],
		["POST", "/api/customers"],
		["POST", "/api/nope"],
		["GET", "/nope"],
		["GET", "/api/customers/nope"],
		["POST", "/"],
		["PUT", "/api/customers/send-otp"],
		["PATCH", "/api/customers/verify-otp"],
		["DELETE", "/api/customers/resend-otp"],
	])("%s %s → 404 NOT_FOUND", async (method, path) => {
		const init: RequestInit =
			method === "GET" ? { method } : { method, headers: { "content-type": "application/json" }, body: "{}" };
		await expectRefused(`http://localhost${path}`, init, { status: 404, code: "NOT_FOUND" });
	});

	it("GET / is the registration page, with the strict CSP", async () => {
		const res = await exports.default.fetch("http://localhost/");
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^text\/html/);
		expect(res.headers.get("content-security-policy")).toContain("script-src 'self';");
		expect(await res.text()).toContain("Create your account");
	});

	it.each(["GET", "DELETE", "OPTIONS"])(
		"%s without a body or content type on a route → 404, not 415",
		async (method) => {
			await expectRefused(url("send-otp"), { method }, { status: 404, code: "NOT_FOUND" });
		},
	);
});
