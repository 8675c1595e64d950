import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import { type Answer, answer } from "./answer";
import { login, post, withToken } from "./api";

/** Sessions and the account: the calls that need a token, calling the app at a chosen time, the stored rows. */

export const refresh = (refreshToken: string) => answer(post("/api/customers/refresh", { refreshToken }));
export const logout = (refreshToken: string) => answer(post("/api/customers/logout", { refreshToken }));
export const logoutAll = (accessToken: string) =>
	answer(withToken("/api/customers/logout-all", accessToken, { method: "POST" }));
export const me = (accessToken: string) => answer(withToken("/api/customers/me", accessToken));
export const deleteMe = (accessToken: string, body: unknown) =>
	withToken("/api/customers/me", accessToken, { method: "DELETE", body });

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

export async function sessionRows(customerId: number): Promise<SessionRow[]> {
	const { results } = await env.DB.prepare("SELECT * FROM sessions WHERE customer_id = ?")
		.bind(customerId)
		.all<SessionRow>();
	return results;
}

export async function customerRow(id: number): Promise<{ id: number; phone: string; email: string } | null> {
	return env.DB.prepare("SELECT id, phone, email FROM customers WHERE id = ?").bind(id).first();
}

export async function storedHash(customerId: number): Promise<string> {
	const row = await env.DB.prepare("SELECT password_hash FROM customers WHERE id = ?")
		.bind(customerId)
		.first<{ password_hash: string }>();
	if (!row) throw new Error(`no customer ${customerId}`);
	return row.password_hash;
}
