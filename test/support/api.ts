import { env, exports } from "cloudflare:workers";
import { createApp } from "../../src/app";

/** Requests to the Worker under test, as a client makes them, and the details a registration sends. */

export const PASSWORD = "correct horse battery";

let counter = 0;
/**
 * A valid phone number no other test uses (per file: prefix with a file-specific
 * area code that libphonenumber knows, like 212; 611 or 690 make invalid numbers).
 */
export function uniquePhone(area = "415"): string {
	counter++;
	// A NANP exchange starts with 2–9: one starting with 0 or 1 is invalid, and refused.
	const exchange = 200 + (Date.now() % 800);
	return `+1${area}${exchange}${String(counter).padStart(4, "0")}`;
}

/** A JSON POST (a string body goes as it is). */
export const jsonInit = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
	method: "POST",
	headers: { "content-type": "application/json", ...headers },
	body: typeof body === "string" ? body : JSON.stringify(body),
});

export function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
	return exports.default.fetch(`http://localhost${path}`, jsonInit(body, headers));
}

/**
 * The app over the test bindings with `vars` replaced (the Durable Objects keep
 * the real ones): a JSON POST to `path`.
 */
export function appWith(vars: Record<string, unknown>) {
	const app = createApp();
	const bindings = { ...env, ...vars } as unknown as Env;
	return async (path: string, body: unknown, headers: Record<string, string> = {}) =>
		app.request(path, jsonInit(body, headers), bindings);
}

export function registration(phone: string, overrides: Record<string, unknown> = {}) {
	const { headers: _headers, ...fields } = overrides;
	return {
		name: "Ada Lovelace",
		email: `${phone.slice(1)}@example.com`,
		phone,
		password: PASSWORD,
		...fields,
	};
}

export const login = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
	post("/api/customers/login", body, headers);

/** A request with `Authorization: Bearer <token>`; a body makes it JSON. */
export function withToken(
	path: string,
	token: string,
	init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
	const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...init.headers };
	if (init.body !== undefined) headers["content-type"] = "application/json";
	return exports.default.fetch(`http://localhost${path}`, {
		method: init.method ?? "GET",
		headers,
		body: init.body === undefined ? undefined : JSON.stringify(init.body),
	});
}

export async function customerCount(): Promise<number> {
	const row = await env.DB.prepare("SELECT count(*) AS n FROM customers").first<{ n: number }>();
	return row?.n ?? 0;
}
