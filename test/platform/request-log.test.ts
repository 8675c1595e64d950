import { env, exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app";
import { post, registration, uniquePhone, withToken } from "../support/api";
import { captureLogs, type LogCapture, type LogLine, UUID } from "../support/log-capture";
import { setClock } from "../support/objects";
import { failNextSms, lastCode, lastEmailCode, lastSid, smsTo, statusCallback } from "../support/outbox";
import { registeredCustomer, registrationIdOf, resendOtp, sendOtp, verifyOtp } from "../support/registration";
import { eventually } from "../support/wait";

const AREA = "680";
const CALLER_ID = /^[A-Za-z0-9._:-]{1,100}$/;

let logs: LogCapture;
beforeEach(() => {
	logs = captureLogs();
});
afterEach(() => {
	vi.restoreAllMocks();
});

const get = (path: string, headers: Record<string, string> = {}) =>
	exports.default.fetch(`http://localhost${path}`, { headers });

/** No route matched: the line names none, or at most a catch-all pattern, never the path asked for. */
function expectNoConcretePath(line: LogLine): void {
	if (line.route !== null) expect(line.route).toMatch(/\*/);
}

const masked = (phone: string) => `${phone.slice(0, 5)}***${phone.slice(-4)}`;

/**
 * The response's X-Request-Id, checked against the one request line written
 * for it: same id, method, status, a whole non-negative duration.
 */
function requestLineOf(res: Response, method: string): LogLine {
	const id = res.headers.get("X-Request-Id");
	expect(id, "X-Request-Id header").toBeTruthy();
	expect(id).toMatch(CALLER_ID);
	const lines = logs.requestLines(id as string);
	expect(lines, `request lines for ${id}`).toHaveLength(1);
	const line = lines[0] as LogLine;
	expect(line).toMatchObject({ event: "request", requestId: id, method, status: res.status });
	expect(line.level).toBe(res.status >= 500 ? "error" : "info");
	expect(typeof line.durationMs).toBe("number");
	expect(Number.isInteger(line.durationMs)).toBe(true);
	expect(line.durationMs as number).toBeGreaterThanOrEqual(0);
	return line;
}

describe("X-Request-Id on every response", () => {
	it("200: a successful send-otp", async () => {
		const phone = uniquePhone(AREA);
		const res = await sendOtp(phone);
		expect(res.status).toBe(200);
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		requestLineOf(res, "POST");
	});

	it("400: a validation error", async () => {
		const res = await sendOtp(uniquePhone(AREA), { email: "not-an-email" });
		expect(res.status).toBe(400);
		expect(((await res.json()) as { code: string }).code).toBe("VALIDATION_ERROR");
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		expect(requestLineOf(res, "POST")).toMatchObject({
			route: "/api/customers/send-otp",
			errorCode: "VALIDATION_ERROR",
		});
	});

	it("400: a body that is not JSON", async () => {
		const res = await post("/api/customers/verify-otp", "{not json");
		expect(res.status).toBe(400);
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		expect(requestLineOf(res, "POST")).toMatchObject({ errorCode: "VALIDATION_ERROR" });
	});

	it.each(["GET", "POST"])("404: an unknown route (%s), logged without its path", async (method) => {
		const res = await exports.default.fetch("http://localhost/no/such/route/secret-looking-segment", {
			method,
			headers: { "content-type": "application/json" },
			body: method === "POST" ? "{}" : undefined,
		});
		expect(res.status).toBe(404);
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		const line = requestLineOf(res, method);
		expect(line).toMatchObject({ errorCode: "NOT_FOUND" });
		expectNoConcretePath(line);
		expect(JSON.stringify(line)).not.toContain("secret-looking-segment");
	});

	it("404: a known path with the wrong method", async () => {
		const res = await get("/api/customers/send-otp");
		expect(res.status).toBe(404);
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		const line = requestLineOf(res, "GET");
		expect(line).toMatchObject({ errorCode: "NOT_FOUND" });
		// Not the POST route's pattern: that route did not answer.
		expect(line.route).not.toBe("/api/customers/send-otp");
		expectNoConcretePath(line);
	});

	it("401: /me without a token", async () => {
		const res = await get("/api/customers/me");
		expect(res.status).toBe(401);
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		expect(requestLineOf(res, "GET")).toMatchObject({ route: "/api/customers/me", errorCode: "UNAUTHORIZED" });
	});

	it("401: an admin call with a wrong token", async () => {
		const res = await withToken("/api/admin/sms-stats", "not-the-admin-token");
		expect(res.status).toBe(401);
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		expect(requestLineOf(res, "GET")).toMatchObject({ route: "/api/admin/sms-stats", errorCode: "UNAUTHORIZED" });
	});

	it("403: a webhook call with a bad signature", async () => {
		const phone = uniquePhone(AREA);
		const res = await statusCallback(
			{ MessageSid: `SM${"0".repeat(32)}`, MessageStatus: "delivered", To: phone },
			{ signature: "bm90LWEtc2lnbmF0dXJl" },
		);
		expect(res.status).toBe(403);
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		expect(requestLineOf(res, "POST")).toMatchObject({
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
		expect(requestLineOf(res, "POST")).toMatchObject({ errorCode: "RATE_LIMITED" });
		for (const r of responses) expect(r.headers.get("X-Request-Id")).toMatch(UUID);
	});

	it("502: Twilio refuses the SMS", async () => {
		const phone = uniquePhone(AREA);
		await failNextSms(phone, 400, 21610);
		const res = await sendOtp(phone);
		expect(res.status).toBe(502);
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		requestLineOf(res, "POST");
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
		expectNoConcretePath(requestLineOf(res, "OPTIONS"));

		// An actual cross-origin call lets the browser read the id.
		const me = await app.request("/api/customers/me", { headers: { Origin: "https://app.example.com" } }, corsEnv);
		expect(me.status).toBe(401);
		expect(me.headers.get("X-Request-Id")).toMatch(UUID);
		expect((me.headers.get("Access-Control-Expose-Headers") ?? "").toLowerCase()).toContain("x-request-id");
		requestLineOf(me, "GET");
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
		expect(requestLineOf(res, "GET").requestId).toBe(given);
	});

	it("is kept on a request that succeeds, and on its SMS event", async () => {
		const given = `client-${crypto.randomUUID()}`;
		const phone = uniquePhone(AREA);
		const res = await post("/api/customers/send-otp", registration(phone), { "x-request-id": given });
		expect(res.status).toBe(200);
		expect(res.headers.get("X-Request-Id")).toBe(given);
		requestLineOf(res, "POST");
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
		requestLineOf(res, "GET");
		const text = logs
			.calls()
			.flatMap((c) => c.args)
			.join("\n");
		expect(text).not.toContain(given);
	});

	it("is replaced when empty", async () => {
		const res = await get("/api/customers/me", { "x-request-id": "" });
		expect(res.headers.get("X-Request-Id")).toMatch(UUID);
		requestLineOf(res, "GET");
	});
});

describe("the request line", () => {
	it("names the route pattern and the masked phone of a phone route", async () => {
		const phone = uniquePhone(AREA);
		const res = await sendOtp(phone);
		expect(res.status).toBe(200);
		const line = requestLineOf(res, "POST");
		expect(line).toMatchObject({ route: "/api/customers/send-otp", phone: masked(phone), callingCode: "1" });
		expect(line).not.toHaveProperty("errorCode");
		expect(line).not.toHaveProperty("twilioErrorCode");
		if ("country" in line) expect(line.country).toBe("US");
		expect(JSON.stringify(line)).not.toContain(phone);
		expect(JSON.stringify(line)).not.toContain(phone.slice(1));
	});

	it("names the route pattern of otp-status, never its query", async () => {
		const phone = uniquePhone(AREA);
		expect((await sendOtp(phone)).status).toBe(200);
		const id = registrationIdOf(phone) as string;
		const query = new URLSearchParams({ phone, registrationId: id, extra: "query-marker" });
		const res = await get(`/api/customers/otp-status?${query}`);
		expect(res.status).toBe(200);
		const line = requestLineOf(res, "GET");
		expect(line).toMatchObject({ route: "/api/customers/otp-status", phone: masked(phone), callingCode: "1" });
		const text = JSON.stringify(line);
		expect(text).not.toContain("?");
		expect(text).not.toContain("query-marker");
		expect(text).not.toContain(id);
		expect(text).not.toContain(phone.slice(1));
	});

	it("names the error code of a failing request, with the phone it concerned", async () => {
		const phone = uniquePhone(AREA);
		expect((await sendOtp(phone)).status).toBe(200);
		const code = await lastCode(phone);
		const res = await verifyOtp(phone, code === "000000" ? "000001" : "000000");
		expect(res.status).toBe(400);
		expect(requestLineOf(res, "POST")).toMatchObject({
			route: "/api/customers/verify-otp",
			errorCode: "OTP_INVALID",
			phone: masked(phone),
			callingCode: "1",
		});
	});

	it("names Twilio's error code when Twilio refuses the SMS", async () => {
		const phone = uniquePhone(AREA);
		await failNextSms(phone, 400, 21610);
		const res = await sendOtp(phone);
		expect(res.status).toBe(502);
		const line = requestLineOf(res, "POST");
		expect(line).toMatchObject({
			level: "error",
			route: "/api/customers/send-otp",
			errorCode: "SMS_DELIVERY_FAILED",
			twilioErrorCode: 21610,
			phone: masked(phone),
			callingCode: "1",
		});
		const failed = logs.events("sms_failed", line.requestId as string);
		expect(failed).toHaveLength(1);
		expect(failed[0]).toMatchObject({ level: "warn", twilioErrorCode: 21610, phone: masked(phone) });
		// The Twilio error code never reaches the client.
		expect(JSON.stringify(await res.json())).not.toContain("21610");
	});

	it("names Twilio's error code of a failed-delivery callback", async () => {
		const phone = uniquePhone(AREA);
		expect((await sendOtp(phone)).status).toBe(200);
		const sid = await lastSid(phone);
		const res = await statusCallback({ MessageSid: sid, MessageStatus: "undelivered", To: phone, ErrorCode: "30003" });
		expect(res.status).toBe(204);
		const line = requestLineOf(res, "POST");
		expect(line).toMatchObject({
			route: "/api/webhooks/twilio/message-status",
			twilioErrorCode: 30003,
			phone: masked(phone),
			callingCode: "1",
		});
		const status = logs.events("sms_status", line.requestId as string);
		expect(status).toHaveLength(1);
		expect(status[0]).toMatchObject({ level: "warn", messageId: sid, status: "undelivered", twilioErrorCode: 30003 });
	});

	it("is written once per request, whatever else the request logs", async () => {
		const phone = uniquePhone(AREA);
		const calls: [Response, string][] = [
			[await sendOtp(phone), "POST"],
			[await verifyOtp(phone, "12"), "POST"],
			[await get("/api/customers/me"), "GET"],
			[await get("/nowhere"), "GET"],
		];
		const ids = calls.map(([res]) => res.headers.get("X-Request-Id"));
		expect(new Set(ids).size).toBe(calls.length);
		for (const [res, method] of calls) requestLineOf(res, method);
		expect(logs.lines().filter((l) => l.event === "request")).toHaveLength(calls.length);
	});

	it("logs the status the client got, for a 201", async () => {
		const phone = uniquePhone(AREA);
		expect((await sendOtp(phone)).status).toBe(200);
		const res = await verifyOtp(phone, await lastCode(phone));
		expect(res.status).toBe(201);
		expect(requestLineOf(res, "POST")).toMatchObject({ route: "/api/customers/verify-otp", status: 201 });
	});
});

describe("event lines carry the request's id", () => {
	it("sms_sent: send-otp and resend-otp", async () => {
		const phone = uniquePhone(AREA);
		const start = Date.now();
		await setClock(phone, start);
		const sent = await sendOtp(phone);
		expect(sent.status).toBe(200);
		const sentId = requestLineOf(sent, "POST").requestId as string;
		const lines = logs.events("sms_sent", sentId);
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatchObject({
			level: "info",
			purpose: "register",
			channel: "sms",
			phone: masked(phone),
			callingCode: "1",
			messageId: await lastSid(phone),
		});

		await setClock(phone, start + 31_000);
		const resent = await resendOtp(phone);
		expect(resent.status).toBe(200);
		const resentId = requestLineOf(resent, "POST").requestId as string;
		expect(resentId).not.toBe(sentId);
		expect(logs.events("sms_sent", resentId)).toHaveLength(1);
		expect(logs.events("sms_sent", resentId)[0]?.messageId).toBe(await lastSid(phone));
		expect(logs.events("sms_sent")).toHaveLength(2);
	});

	it("email_sent: resend-otp by email, with the address masked", async () => {
		const phone = uniquePhone(AREA);
		const email = `obs.${crypto.randomUUID().slice(0, 8)}@example.com`;
		const start = Date.now();
		await setClock(phone, start);
		expect((await sendOtp(phone, { email })).status).toBe(200);
		await setClock(phone, start + 31_000);
		const res = await resendOtp(phone, "email");
		expect(res.status).toBe(200);
		const id = requestLineOf(res, "POST").requestId as string;
		const lines = logs.events("email_sent", id);
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatchObject({ channel: "email", email: `o***@example.com`, phone: masked(phone) });
		expect(await lastEmailCode(email)).toMatch(/^\d{6}$/);
	});

	it("sms_sent of a password reset, sent after the answer (waitUntil)", async () => {
		const customer = await registeredCustomer(AREA);
		await setClock(customer.phone, Date.now() + 60_000);
		const before = (await smsTo(customer.phone)).length;
		const res = await post("/api/customers/password-reset/send-otp", { phone: customer.phone });
		expect(res.status).toBe(200);
		const id = requestLineOf(res, "POST").requestId as string;
		await eventually(async () => ((await smsTo(customer.phone)).length > before ? true : undefined));
		const lines = await eventually(async () => {
			const found = logs.events("sms_sent", id);
			return found.length > 0 ? found : undefined;
		});
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatchObject({ purpose: "reset", channel: "sms", phone: masked(customer.phone) });
	});

	// code_verified is written while the verify request runs; without the request's
	// id it cannot be joined to it (report.ts lists it among the events with one).
	it("code_verified: the verify request's id", async () => {
		const phone = uniquePhone(AREA);
		expect((await sendOtp(phone)).status).toBe(200);
		const res = await verifyOtp(phone, await lastCode(phone));
		expect(res.status).toBe(201);
		const id = requestLineOf(res, "POST").requestId as string;
		const verified = logs.events("code_verified");
		expect(verified).toHaveLength(1);
		expect(verified[0]).toMatchObject({ purpose: "register", phone: masked(phone), requestId: id });
	});
});
