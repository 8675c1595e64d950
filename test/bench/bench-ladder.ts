import { createRoute, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { takeGuess } from "../../src/abuse/guess-limit";
import { getConfig } from "../../src/config/config";
import { VerifyOtpBody } from "../../src/customers/registration/registration.schemas";
import { ApiError } from "../../src/errors/errors";
import { callerOf } from "../../src/otp/caller";
import type { Phone } from "../../src/phone/parse";
import type { AppEnv } from "../../src/platform/app-env";
import { createRouter } from "../../src/platform/create-router";
import { errorResponses } from "../../src/platform/error-schema";
import { jsonGate, jsonRequest, jsonResponse } from "../../src/platform/openapi";
import { renderError } from "../../src/platform/render-error";
import { logPhone, requestLog } from "../../src/platform/request-log";
import { securityHeaders } from "../../src/site/security-headers";
import { LADDER, type Rung } from "./parts.ts";

/**
 * The wrong-guess path of verify-otp rebuilt from the app's own parts, one
 * ingredient more on each rung (`POST /bench/ladder/<rung>` with the body of
 * a wrong guess). The difference between two rungs is what that ingredient
 * costs; the real route (`wrong guess`) is the last rung plus the phone
 * object. Built here, from src/, so src/ needs no bench hooks. The rungs
 * and what each adds are listed in parts.ts.
 */
const RUNGS = LADDER.map((step) => step.rung);

const ok = { ok: true } as const;
const Ok = z.object({ ok: z.boolean() });

/** What createApp puts before every route: the config and the request's time. */
const configAndClock: MiddlewareHandler<AppEnv> = async (c, next) => {
	c.set("config", getConfig(c.env));
	c.set("now", Date.now());
	await next();
};

/** The validated route: verify-otp's body schema, gate and error model, at `/`. */
const validated = createRoute({
	method: "post",
	path: "/",
	middleware: jsonGate,
	request: { body: jsonRequest(VerifyOtpBody) },
	responses: { 200: jsonResponse(Ok, "ok"), ...errorResponses("OTP_INVALID", "RATE_LIMITED") },
});

/** The handler of the wrong-guess path, minus the phone object: it answers what the object would. */
async function wrongGuess(c: Context<AppEnv>, phone: Phone, guessLimit: boolean): Promise<never> {
	logPhone(c, phone);
	if (guessLimit) await takeGuess(c);
	callerOf(c);
	throw new ApiError("OTP_INVALID", undefined, { attemptsRemaining: 5 });
}

/** The router of one rung: everything the rungs before it have, plus its own ingredient. */
function rung(name: Rung) {
	const has = (step: Rung) => RUNGS.indexOf(name) >= RUNGS.indexOf(step);
	const router = createRouter();
	if (has("log")) router.use("*", requestLog());
	if (has("headers")) router.use("*", securityHeaders, configAndClock);
	if (!has("body")) router.post("/", (c) => c.json(ok));
	else if (!has("validate"))
		router.post("/", jsonGate, async (c) => {
			await c.req.json();
			return c.json(ok);
		});
	else
		router.openapi(validated, async (c) => {
			const { phone } = c.req.valid("json");
			if (!has("error")) return c.json(ok, 200);
			return wrongGuess(c, phone, has("guess-limit"));
		});
	router.onError(renderError);
	return router;
}

/** Every rung, mounted under `/ladder/<rung>` of the bench routes. */
export function ladder() {
	const router = createRouter();
	for (const name of RUNGS) router.route(`/ladder/${name}`, rung(name));
	return router;
}
