import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env";
import { jsonBody } from "./json-body";
import { nationalPhone } from "./national-phone";

/** A required JSON request body, for `createRoute({ request: { body } })`. */
export const jsonRequest = <T>(schema: T) => ({ content: { "application/json": { schema } }, required: true });

/** A JSON response, for `createRoute({ responses })`. */
export const jsonResponse = <T>(schema: T, description: string) => ({
	content: { "application/json": { schema } },
	description,
});

const parse = jsonBody();

/**
 * Runs before validation on every route with a body: 415 for non-JSON, 413
 * over 16 KB, 400 for malformed JSON; then a national-format `phone` becomes
 * E.164 when DEFAULT_COUNTRY is set.
 */
export const jsonGate: MiddlewareHandler<AppEnv> = (c, next) =>
	parse(c, async () => {
		await nationalPhone(c, next);
	});

/** The OpenAPI security requirement of routes that take an access token. */
export const bearerSecurity = [{ bearerAuth: [] }];
