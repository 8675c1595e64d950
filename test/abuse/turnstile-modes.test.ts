import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { requireTurnstile } from "../../src/abuse/require-turnstile";
import { createApp } from "../../src/app";
import { getConfig } from "../../src/config/config";
import { callerOf } from "../../src/otp/caller";
import type { AppEnv } from "../../src/platform/app-env";
import { jsonGate } from "../../src/platform/openapi";
import { renderError } from "../../src/platform/render-error";
import { registration, uniquePhone } from "../support/api";
import { DUMMY_TOKEN, FAKE_INTERNAL_ERROR_TOKEN, TEST_SECRETS } from "../support/fake-turnstile";
import { storedChallenge } from "../support/objects";
import { smsTo } from "../support/outbox";

/**
 * The send gate's two modes. `always`: a token up front on every route that
 * sends SMS (as before). `pressure`: no token needed there; one that comes
 * anyway is verified, and a verified one makes the caller `human`, which the
 * send pipeline reads (challengeNeeded) before answering CAPTCHA_REQUIRED.
 */

const AREA = "718";
const VERIFY_URL = "http://turnstile.test/turnstile/v0/siteverify";
const TOKEN = "cf-turnstile-response";
const IP = "203.0.113.9";

const bindingsWith = (secret: string, mode: string) =>
	({ ...env, TURNSTILE_SECRET_KEY: secret, TURNSTILE_VERIFY_URL: VERIFY_URL, TURNSTILE_MODE: mode }) as unknown as Env;

type Headers = Record<string, string>;

/** POSTs JSON to `app`, waiting for what the request left running (a password reset's send). */
async function postTo(app: Hono<AppEnv>, bindings: Env, path: string, body: unknown, headers: Headers = {}) {
	const ctx = createExecutionContext();
	const init = {
		method: "POST",
		headers: { "content-type": "application/json", ...headers },
		body: JSON.stringify(body),
	};
	const res = await app.fetch(new Request(`http://localhost${path}`, init), bindings, ctx);
	await waitOnExecutionContext(ctx);
	return res;
}

/** The app under `mode`, with Cloudflare's test secret `secret`. */
function appIn(mode: string, secret: string = TEST_SECRETS.pass) {
	const app = createApp() as unknown as Hono<AppEnv>;
	const bindings = bindingsWith(secret, mode);
	return (path: string, body: Record<string, unknown>, headers: Headers = {}) =>
		postTo(app, bindings, path, body, headers);
}

/** The gate alone in front of a route that answers the `Caller` the handlers would build. */
function probeWith(bindings: Env) {
	const app = new Hono<AppEnv>();
	app.use("*", async (c, next) => {
		c.set("config", getConfig(c.env));
		c.set("requestId", "probe");
		await next();
	});
	app.post("/probe", jsonGate, requireTurnstile, (c) => c.json(callerOf(c)));
	app.onError(renderError);
	return async (body: Record<string, unknown>, headers: Headers = {}) => {
		const res = await postTo(app, bindings, "/probe", body, { "CF-Connecting-IP": IP, ...headers });
		return { status: res.status, body: (await res.json()) as Record<string, unknown> };
	};
}

const probeIn = (mode: string, secret: string = TEST_SECRETS.pass) => probeWith(bindingsWith(secret, mode));

describe("mode pressure", () => {
	it("lets a send without a token through the gate: the code goes out", async () => {
		const call = appIn("pressure");
		const phone = uniquePhone(AREA);
		const res = await call("/api/customers/send-otp", registration(phone));
		expect(res.status).toBe(200);
		expect(await smsTo(phone)).toHaveLength(1);
		expect((await call("/api/customers/password-reset/send-otp", { phone })).status).toBe(200);
	});

	it("marks a caller with a token siteverify accepts as human, from the body or a header", async () => {
		const probe = probeIn("pressure");
		expect(await probe({})).toMatchObject({ status: 200, body: { network: IP, requestId: "probe", human: false } });
		expect((await probe({ [TOKEN]: DUMMY_TOKEN })).body).toMatchObject({ human: true });
		expect((await probe({}, { [TOKEN]: DUMMY_TOKEN })).body).toMatchObject({ human: true });
		// An empty field is no token.
		expect((await probe({ [TOKEN]: "" })).body).toMatchObject({ human: false });
	});

	it("sends with a token siteverify accepts", async () => {
		const call = appIn("pressure");
		const phone = uniquePhone(AREA);
		const res = await call("/api/customers/send-otp", { ...registration(phone), [TOKEN]: DUMMY_TOKEN });
		expect(res.status).toBe(200);
		expect(await smsTo(phone)).toHaveLength(1);
	});

	it.each([
		["refused", TEST_SECRETS.fail],
		["already spent", TEST_SECRETS.spent],
	])(
		"refuses a token siteverify says is %s with 403 CAPTCHA_FAILED, before anything is stored or sent",
		async (_, secret) => {
			const call = appIn("pressure", secret);
			const phone = uniquePhone(AREA);
			const res = await call("/api/customers/send-otp", { ...registration(phone), [TOKEN]: DUMMY_TOKEN });
			expect(res.status).toBe(403);
			expect(await res.json()).toMatchObject({ success: false, code: "CAPTCHA_FAILED", field: TOKEN });
			expect(await smsTo(phone)).toEqual([]);
			expect(await storedChallenge(phone)).toBeNull();
			expect((await probeIn("pressure", secret)({ [TOKEN]: DUMMY_TOKEN })).status).toBe(403);
			// Without the token the same request passes: in this mode a token is only checked when it comes.
			expect((await call("/api/customers/send-otp", registration(phone))).status).toBe(200);
		},
	);

	it("fails closed with 503 when siteverify cannot judge the token that came", async () => {
		const call = appIn("pressure");
		const phone = uniquePhone(AREA);
		const res = await call("/api/customers/send-otp", { ...registration(phone), [TOKEN]: FAKE_INTERNAL_ERROR_TOKEN });
		expect(res.status).toBe(503);
		expect(await res.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
		expect(await smsTo(phone)).toEqual([]);
	});
});

describe("mode always (the default)", () => {
	it("still refuses a send without a token with 403 CAPTCHA_FAILED, on every sending route", async () => {
		const call = appIn("always");
		const phone = uniquePhone(AREA);
		const res = await call("/api/customers/send-otp", registration(phone));
		expect(res.status).toBe(403);
		expect(await res.json()).toMatchObject({
			code: "CAPTCHA_FAILED",
			message: "The cf-turnstile-response token is required",
			field: TOKEN,
		});
		expect((await call("/api/customers/resend-otp", { phone })).status).toBe(403);
		expect((await call("/api/customers/password-reset/send-otp", { phone })).status).toBe(403);
		expect(await smsTo(phone)).toEqual([]);
		expect((await probeIn("always")({})).status).toBe(403);
	});

	it("admits a token siteverify accepts, and the caller is human", async () => {
		const call = appIn("always");
		const phone = uniquePhone(AREA);
		expect((await call("/api/customers/send-otp", { ...registration(phone), [TOKEN]: DUMMY_TOKEN })).status).toBe(200);
		expect((await probeIn("always")({ [TOKEN]: DUMMY_TOKEN })).body).toMatchObject({ human: true });
		expect((await probeIn("always", TEST_SECRETS.fail)({ [TOKEN]: DUMMY_TOKEN })).body).toMatchObject({
			code: "CAPTCHA_FAILED",
		});
	});

	it("is what an empty TURNSTILE_MODE means", async () => {
		expect((await probeIn("")({})).status).toBe(403);
	});
});

describe("without Turnstile", () => {
	it("never checks a token, and no caller is human", async () => {
		expect(await probeWith(env)({ [TOKEN]: "junk" })).toMatchObject({
			status: 200,
			body: { network: IP, requestId: "probe", human: false },
		});
	});
});
