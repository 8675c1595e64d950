import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { registration, uniquePhone } from "../support/api";

const AREA = "617";
const APP_ORIGIN = "https://app.example.com";
const SEND_OTP = "http://localhost/api/customers/send-otp";

const app = createApp();

/** Calls the app with `CORS_ALLOWED_ORIGINS` set, everything else as configured for the tests. */
function withOrigins(origins: string, url: string, init: RequestInit): Promise<Response> {
	return Promise.resolve(app.request(url, init, { ...env, CORS_ALLOWED_ORIGINS: origins }));
}

const preflight = (origin: string): RequestInit => ({
	method: "OPTIONS",
	headers: {
		origin,
		"access-control-request-method": "POST",
		"access-control-request-headers": "content-type",
	},
});

const jsonPost = (origin: string, body: unknown): RequestInit => ({
	method: "POST",
	headers: { origin, "content-type": "application/json" },
	body: JSON.stringify(body),
});

describe("the default configuration (no origins)", () => {
	it("allows no origin, on a preflight or on a request", async () => {
		expect(env.CORS_ALLOWED_ORIGINS).toBe("");
		const options = await exports.default.fetch(SEND_OTP, preflight(APP_ORIGIN));
		expect(options.headers.get("access-control-allow-origin")).toBeNull();
		expect(options.headers.get("access-control-allow-credentials")).toBeNull();

		const res = await exports.default.fetch(SEND_OTP, jsonPost(APP_ORIGIN, {}));
		expect(res.status).toBe(400);
		expect(res.headers.get("access-control-allow-origin")).toBeNull();
		expect(res.headers.get("access-control-allow-credentials")).toBeNull();
	});
});

describe("a configured origin", () => {
	it("answers its preflight: origin echoed, credentials, the API's methods and headers allowed", async () => {
		const res = await withOrigins(APP_ORIGIN, SEND_OTP, preflight(APP_ORIGIN));
		expect(res.status).toBe(204);
		expect(res.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);
		expect(res.headers.get("access-control-allow-credentials")).toBe("true");
		expect(res.headers.get("access-control-allow-methods")?.split(",")).toEqual(
			expect.arrayContaining(["GET", "POST", "DELETE"]),
		);
		expect(res.headers.get("access-control-allow-headers")?.toLowerCase().split(",")).toEqual(
			expect.arrayContaining(["content-type", "authorization"]),
		);
		expect(res.headers.get("access-control-max-age")).toBe("600");
		expect(res.headers.get("vary")).toMatch(/\bOrigin\b/);
	});

	it.each([
		"https://evil.example.com",
		"http://app.example.com",
		"https://app.example.com.evil.com",
		"https://app.example.com:8443",
		"null",
	])("gives no allow-origin to %s", async (origin) => {
		const options = await withOrigins(APP_ORIGIN, SEND_OTP, preflight(origin));
		expect(options.headers.get("access-control-allow-origin")).toBeNull();
		const res = await withOrigins(APP_ORIGIN, SEND_OTP, jsonPost(origin, {}));
		expect(res.status).toBe(400);
		expect(res.headers.get("access-control-allow-origin")).toBeNull();
	});

	it("gives no allow-origin to a request without an Origin", async () => {
		const res = await withOrigins(APP_ORIGIN, SEND_OTP, { method: "OPTIONS" });
		expect(res.headers.get("access-control-allow-origin")).toBeNull();
	});

	it("allows each origin of a list", async () => {
		const list = "https://a.example.com, https://b.example.com";
		for (const origin of ["https://a.example.com", "https://b.example.com"]) {
			const res = await withOrigins(list, SEND_OTP, preflight(origin));
			expect(res.headers.get("access-control-allow-origin")).toBe(origin);
		}
	});

	it("marks error responses too, and exposes Retry-After, so the browser app can read them", async () => {
		const invalid = await withOrigins(APP_ORIGIN, SEND_OTP, jsonPost(APP_ORIGIN, { name: "Ada" }));
		expect(invalid.status).toBe(400);
		expect(await invalid.json()).toMatchObject({ success: false, code: "VALIDATION_ERROR" });
		expect(invalid.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);
		expect(invalid.headers.get("access-control-allow-credentials")).toBe("true");
		expect(invalid.headers.get("vary")).toMatch(/\bOrigin\b/);

		const phone = uniquePhone(AREA);
		const sent = await withOrigins(APP_ORIGIN, SEND_OTP, jsonPost(APP_ORIGIN, registration(phone)));
		expect(sent.status).toBe(200);
		expect(sent.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);

		const limited = await withOrigins(APP_ORIGIN, SEND_OTP, jsonPost(APP_ORIGIN, registration(phone)));
		expect(limited.status).toBe(429);
		expect(limited.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);
		expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
		expect(limited.headers.get("access-control-expose-headers")?.toLowerCase()).toContain("retry-after");
	});

	it("applies to /api only", async () => {
		const res = await withOrigins(APP_ORIGIN, "http://localhost/openapi.json", {
			headers: { origin: APP_ORIGIN },
		});
		expect(res.status).toBe(200);
		expect(res.headers.get("access-control-allow-origin")).toBeNull();
	});
});

describe("the wildcard", () => {
	it("allows any origin with *, never with credentials", async () => {
		const options = await withOrigins("*", SEND_OTP, preflight("https://anyone.example.org"));
		expect(options.status).toBe(204);
		expect(options.headers.get("access-control-allow-origin")).toBe("*");
		expect(options.headers.get("access-control-allow-credentials")).toBeNull();

		const res = await withOrigins("*", SEND_OTP, jsonPost("https://anyone.example.org", {}));
		expect(res.headers.get("access-control-allow-origin")).toBe("*");
		expect(res.headers.get("access-control-allow-credentials")).toBeNull();
	});

	it("wins over named origins listed with it", async () => {
		const res = await withOrigins(`${APP_ORIGIN},*`, SEND_OTP, preflight(APP_ORIGIN));
		expect(res.headers.get("access-control-allow-origin")).toBe("*");
		expect(res.headers.get("access-control-allow-credentials")).toBeNull();
	});
});
