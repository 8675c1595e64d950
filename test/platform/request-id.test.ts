import { env, exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app";
import { post, registration, uniquePhone, withToken } from "../support/api";
import { captureLogs, type LogCapture, UUID } from "../support/log-capture";
import { failNextSms, statusCallback } from "../support/outbox";
import { sendOtp } from "../support/registration";
import { expectNoConcretePath, get, requestLineOf } from "../support/request-log";

const AREA = "680";

let logs: LogCapture;
beforeEach(() => {
	logs = captureLogs();
});
afterEach(() => {
	vi.restoreAllMocks();
});

describe("X-Request-Id on every response", () => {
	it("200: a successful send-otp", async () => {
		const phone = uniquePhone(AREA);
		const res = await sendOtp(phone);
		expect(res.status).toBe(200);
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		requestLineOf(logs, res, "POST");
	});

	it("400: a validation error", async () => {
		const res = await sendOtp(uniquePhone(AREA), { email: "not-an-email" });
		expect(res.status).toBe(400);
		expect(((await res.json()) as { code: string }).code).toBe("VALIDATION_ERROR");
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		expect(requestLineOf(logs, res, "POST")).toMatchObject({
			route: "/api/customers/send-otp",
			errorCode: "VALIDATION_ERROR",
		});
	});

	it("400: a body that is not JSON", async () => {
		const res = await post("/api/customers/verify-otp", "{not json");
		expect(res.status).toBe(400);
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		expect(requestLineOf(logs, res, "POST")).toMatchObject({ errorCode: "VALIDATION_ERROR" });
	});

	it.each(["GET", "POST"])("404: an unknown route (%s), logged without its path", async (method) => {
		const res = await exports.default.fetch("http://localhost/no/such/route/secret-looking-segment", {
			method,
			headers: { "content-type": "application/json" },
			body: method === "POST" ? "{}" : undefined,
		});
		expect(res.status).toBe(404);
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		const line = requestLineOf(logs, res, method);
		expect(line).toMatchObject({ errorCode: "NOT_FOUND" });
		expectNoConcretePath(line);
		expect(JSON.stringify(line)).not.toContain("secret-looking-segment");
	});

	it("404: a known path with the wrong method", async () => {
		const res = await get("/api/customers/send-otp");
		expect(res.status).toBe(404);
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		const line = requestLineOf(logs, res, "GET");
		expect(line).toMatchObject({ errorCode: "NOT_FOUND" });
		// Not the POST route's pattern: that route did not answer.
		expect(line.route).not.toBe("/api/customers/send-otp");
		expectNoConcretePath(line);
	});

	it("401: /me without a token", async () => {
		const res = await get("/api/customers/me");
		expect(res.status).toBe(401);
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		expect(requestLineOf(logs, res, "GET")).toMatchObject({ route: "/api/customers/me", errorCode: "UNAUTHORIZED" });
	});

	it("401: an admin call with a wrong token", async () => {
		const res = await withToken("/api/admin/sms-stats", "not-the-admin-token");
		expect(res.status).toBe(401);
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		expect(requestLineOf(logs, res, "GET")).toMatchObject({ route: "/api/admin/sms-stats", errorCode: "UNAUTHORIZED" });
	});

	it("403: a webhook call with a bad signature", async () => {
		const phone = uniquePhone(AREA);
		const res = await statusCallback(
			{ MessageSid: `SM${"0".repeat(32)}`, MessageStatus: "delivered", To: phone },
			{ signature: "bm90LWEtc2lnbmF0dXJl" },
		);
		expect(res.status).toBe(403);
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		expect(requestLineOf(logs, res, "POST")).toMatchObject({
			route: "/api/webhooks/twilio/message-status",
			errorCode: "INVALID_SIGNATURE",
		});
	});

	it("429: an address over its burst limit, with Retry-After", async () => {
		// The limit runs before validation, so empty bodies count.
		const ip = `198.51.100.${1 + Math.floor(Math.random() * 250)}`;
		const responses: Response[] = [];
		for (let i = 0; i < 6; i++) responses.push(await post("/api/customers/send-otp", {}, { "cf-connecting-ip": ip }));
		const limited = responses.find((r) => r.status === 429);
		expect(limited, `statuses ${responses.map((r) => r.status)}`).toBeDefined();
		const res = limited as Response;
		expect(res.headers.get("Retry-After")).toBeTruthy();
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		expect(requestLineOf(logs, res, "POST")).toMatchObject({ errorCode: "RATE_LIMITED" });
		for (const r of responses) expect(r.headers.get("X-Request-Id")).toMatch(UUID);
	});

	it("502: Twilio refuses the SMS", async () => {
		const phone = uniquePhone(AREA);
		await failNextSms(phone, 400, 21610);
		const res = await sendOtp(phone);
		expect(res.status).toBe(502);
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		requestLineOf(logs, res, "POST");
	});

	it("204: CORS preflight, when CORS is configured", async () => {
		const app = createApp();
		const corsEnv = { ...env, CORS_ALLOWED_ORIGINS: "https://app.example.com" };
		const res = await app.request(
			"/api/customers/send-otp",
			{
				method: "OPTIONS",
				headers: {
					Origin: "https://app.example.com",
					"Access-Control-Request-Method": "POST",
					"Access-Control-Request-Headers": "content-type",
				},
			},
			corsEnv,
		);
		expect(res.status).toBe(204);
		expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example.com");
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		expectNoConcretePath(requestLineOf(logs, res, "OPTIONS"));

		// An actual cross-origin call lets the browser read the id.
		const me = await app.request("/api/customers/me", { headers: { Origin: "https://app.example.com" } }, corsEnv);
		expect(me.status).toBe(401);
		expect(me.headers.get("X-Request-Id")).toMatch(UUID);
		expect((me.headers.get("Access-Control-Expose-Headers") ?? "").toLowerCase()).toContain("x-request-id");
		requestLineOf(logs, me, "GET");
	});

	it("every response gets its own id", async () => {
		const a = await get("/api/customers/me");
		const b = await get("/api/customers/me");
		expect(a.headers.get("X-Request-Id")).toMatch(UUID);
		expect(b.headers.get("X-Request-Id")).toMatch(UUID);
		expect(a.headers.get("X-Request-Id")).not.toBe(b.headers.get("X-Request-Id"));
	});
});

describe("the caller's X-Request-Id", () => {
	it.each([
		["letters, digits and . _ : -", "Trace-0123.abc_XYZ:9"],
		["one character", "a"],
		["exactly 100 characters", "r".repeat(100)],
	])("is kept when well-formed: %s", async (_, given) => {
		const res = await get("/api/customers/me", { "x-request-id": given });
		expect(res.headers.get("X-Request-Id")).toBe(given);
		expect(requestLineOf(logs, res, "GET").requestId).toBe(given);
	});

	it("is kept on a request that succeeds, and on its SMS event", async () => {
		const given = `client-${crypto.randomUUID()}`;
		const phone = uniquePhone(AREA);
		const res = await post("/api/customers/send-otp", registration(phone), { "x-request-id": given });
		expect(res.status).toBe(200);
		expect(res.headers.get("X-Request-Id")).toBe(given);
		requestLineOf(logs, res, "POST");
		expect(logs.events("sms_sent", given)).toHaveLength(1);
	});

	it.each([
		["markup", "<script>alert(1)</script>"],
		["101 characters", "r".repeat(101)],
		["a space", "trace id"],
		["a slash", "trace/id"],
		["a quote", 'trace"id'],
		["non-ASCII", "tracé"],
		["an equals sign", "id=1"],
	])("is replaced when malformed: %s", async (_, given) => {
		const res = await get("/api/customers/me", { "x-request-id": given });
		const id = res.headers.get("X-Request-Id");
		expect(id).toMatch(UUID);
		expect(id).not.toBe(given);
		requestLineOf(logs, res, "GET");
		const text = logs
			.calls()
			.flatMap((c) => c.args)
			.join("\n");
		expect(text).not.toContain(given);
	});

	it("is replaced when empty", async () => {
		const res = await get("/api/customers/me", { "x-request-id": "" });
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		requestLineOf(logs, res, "GET");
	});
});
