import { jsonBody } from "./json-body";

/** A required JSON request body, for `createRoute({ request: { body } })`. */
export const jsonRequest = <T>(schema: T) => ({ content: { "application/json": { schema } }, required: true });

/** A JSON response, for `createRoute({ responses })`. */
export const jsonResponse = <T>(schema: T, description: string) => ({
	content: { "application/json": { schema } },
	description,
});

/** Runs before validation on every route with a body: 415 for non-JSON, 413 over 16 KB, 400 for malformed JSON. */
export const jsonGate = jsonBody();

/** The OpenAPI security requirement of routes that take an access token. */
export const bearerSecurity = [{ bearerAuth: [] }];
