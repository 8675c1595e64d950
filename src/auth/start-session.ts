import type { Context } from "hono";
import { ipSummary, userAgent } from "../abuse/client-network";
import type { Customer } from "../db/schema";
import type { AppEnv } from "../platform/app-env";
import { openSession } from "./rotation";
import type { TokenPair } from "./session-tokens";

/**
 * Opens a session for a customer who just proved who they are, with the
 * password hash that proof was checked against (null: existence is enough).
 * Null when a password reset or an account deletion won the race.
 */
export function startSession(
	c: Context<AppEnv>,
	customer: { id: number; passwordHash: string | null },
): Promise<TokenPair | null> {
	const client = { userAgent: userAgent(c.req.raw), ipSummary: ipSummary(c.req.raw) };
	return openSession(c.env.DB, c.get("config").tokens, customer, client, c.get("now"));
}

/** What a customer may see of their own record: never the password hash. */
export function profile(customer: Customer) {
	return { id: customer.id, name: customer.name, email: customer.email, phone: customer.phone };
}
