import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import { base64url } from "../../src/auth/jwt";
import { getConfig } from "../../src/config/config";
import { login, post, withToken } from "./helpers";

/** Shared by the session test files: decoding and forging tokens, calling the app at a chosen time. */

export const tokens = () => getConfig(env).tokens;

const encoder = new TextEncoder();

export const b64json = (value: unknown) => base64url(encoder.encode(JSON.stringify(value)));

/** A compact JWS signed by hand with HMAC over `hash`, whatever the header claims. */
export async function forge(header: unknown, payload: unknown, secret: string, hash = "SHA-256"): Promise<string> {
	const input = `${b64json(header)}.${b64json(payload)}`;
	return `${input}.${await hmac(input, secret, hash)}`;
}

export async function hmac(input: string, secret: string, hash = "SHA-256"): Promise<string> {
	const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash }, false, ["sign"]);
	return base64url(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(input))));
}

function decodeSegment(segment: string): Record<string, unknown> {
	const binary = atob(segment.replace(/-/g, "+").replace(/_/g, "/"));
	return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
}

/** Header and claims of a token, unverified. */
export function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
	const [header = "", claims = ""] = token.split(".");
	return { header: decodeSegment(header), claims: decodeSegment(claims) };
}

/** `token` with its payload replaced and its signature kept. */
export function withPayload(token: string, claims: unknown): string {
	const [header, , signature] = token.split(".");
	return `${header}.${b64json(claims)}.${signature}`;
}

export interface Answer {
	status: number;
	body: Record<string, unknown>;
	text: string;
	headers: Headers;
}

export async function answer(res: Response | Promise<Response>): Promise<Answer> {
	const r = await res;
	const text = await r.text();
	return { status: r.status, body: JSON.parse(text) as Record<string, unknown>, text, headers: r.headers };
}

export const refresh = (refreshToken: string) => answer(post("/api/customers/refresh", { refreshToken }));
export const logout = (refreshToken: string) => answer(post("/api/customers/logout", { refreshToken }));
export const logoutAll = (accessToken: string) =>
	answer(withToken("/api/customers/logout-all", accessToken, { method: "POST" }));
export const me = (accessToken: string) => answer(withToken("/api/customers/me", accessToken));

export interface Tokens {
	accessToken: string;
	refreshToken: string;
}

/** Signs in and returns the tokens; throws unless the answer is 200. */
export async function signIn(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Tokens> {
	const res = await answer(login(body, headers));
	if (res.status !== 200) throw new Error(`login answered ${res.status}: ${res.text}`);
	return res.body as unknown as Tokens;
}

/**
 * An app whose every request happens at `ms` (the Durable Objects keep their
 * own clocks), under `bindings` (the suite's by default).
 */
export function appAt(ms: number, bindings: Env = env) {
	const app = createApp({ clock: () => ms });
	return async (path: string, init: RequestInit = {}): Promise<Answer> => {
		const ctx = createExecutionContext();
		const res = await app.request(path, init, bindings, ctx);
		await waitOnExecutionContext(ctx);
		return answer(res);
	};
}

export const bearer = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });

export const jsonPost = (body: unknown): RequestInit => ({
	method: "POST",
	headers: { "content-type": "application/json" },
	body: JSON.stringify(body),
});

export interface SessionRow {
	id: string;
	customer_id: number;
	token_hash: string;
	created_at: number;
	expires_at: number;
	last_used_at: number;
	revoked_at: number | null;
	revoked_reason: string | null;
	user_agent: string | null;
	ip_summary: string | null;
}

export async function sessionRow(id: string): Promise<SessionRow | null> {
	return env.DB.prepare("SELECT * FROM sessions WHERE id = ?").bind(id).first<SessionRow>();
}

export async function storedHash(customerId: number): Promise<string> {
	const row = await env.DB.prepare("SELECT password_hash FROM customers WHERE id = ?")
		.bind(customerId)
		.first<{ password_hash: string }>();
	if (!row) throw new Error(`no customer ${customerId}`);
	return row.password_hash;
}

/** The session id (`sid`) a token belongs to. */
export const sidOf = (token: string) => String(decode(token).claims.sid);
