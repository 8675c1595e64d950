import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Phone } from "../phone/parse";
import type { AppEnv } from "./app-env";
import { log } from "./log";

/** What a request's log line says beyond the basics; filled in by whoever learns it. Never a secret. */
export interface RequestLogFields {
	/** Masked: `+1415***2671`. */
	phone?: string;
	/** ISO country of the phone, when its digits tell. */
	country?: string;
	callingCode?: string;
	errorCode?: string;
	twilioErrorCode?: number;
}

/** A caller's own id is kept when it is short and plain, so traces join up across systems. */
const CALLER_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * The outermost middleware: gives every request an id (echoed as
 * `X-Request-Id` on every response, errors included) and writes one JSON
 * log line when it ends: id, method, route pattern (never the query),
 * status, duration, error code, and the masked phone it concerned.
 */
export function requestLog(): MiddlewareHandler<AppEnv> {
	return async (c, next) => {
		const given = c.req.header("x-request-id");
		const requestId = given && CALLER_ID.test(given) ? given : crypto.randomUUID();
		const fields: RequestLogFields = {};
		c.set("requestId", requestId);
		c.set("log", fields);
		const started = performance.now();
		await next();
		c.res.headers.set("X-Request-Id", requestId);
		// After the chain ran, the route index points at the handler that answered.
		const route = fields.errorCode === "NOT_FOUND" ? null : routePath(c);
		log(c.res.status >= 500 ? "error" : "info", "request", {
			requestId,
			method: c.req.method,
			route: route ?? null,
			status: c.res.status,
			durationMs: Math.round(performance.now() - started),
			...fields,
		});
	};
}

/** Puts the phone a request concerns on its log line: masked, with its country. */
export function logPhone(c: Context<AppEnv>, phone: Phone): void {
	const fields = c.get("log");
	if (!fields) return;
	const { masked, callingCode, countries } = phone;
	fields.phone = masked;
	fields.callingCode = callingCode;
	if (countries.length === 1) fields.country = countries[0];
}
