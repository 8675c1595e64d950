import type { RouteHandler } from "@hono/zod-openapi";
import { dummyHash, hashPassword, needsRehash, verifyPassword } from "../../auth/passwords";
import { closeSession, rotateSession } from "../../auth/rotation";
import { sessionRepository } from "../../auth/sessions.repository";
import { profile, startSession } from "../../auth/start-session";
import { accountKey, beginLoginAttempt } from "../../auth/throttle/login-attempt";
import { ApiError } from "../../errors/errors";
import { emit } from "../../events/emit";
import type { Phone } from "../../phone/parse";
import type { AppEnv } from "../../platform/app-env";
import { customerRepository } from "../repository";
import type { login, logout, logoutAll, refresh } from "./sign-in.routes";

export const loginHandler: RouteHandler<typeof login, AppEnv> = async (c) => {
	const { password, email, phone } = c.req.valid("json");
	const { scrypt } = c.get("config");
	const identifier = email !== undefined ? { email } : { phone: (phone as Phone).e164 };
	const customers = customerRepository(c.env.DB);
	const customer = await customers.findBy(identifier);
	// An unknown account is throttled and hashed exactly like a known one: same answer, same time.
	const attempt = await beginLoginAttempt(c, customer ? accountKey(customer.id) : `unknown:${email ?? phone?.e164}`);
	const valid = await verifyPassword(password, customer?.passwordHash ?? dummyHash(scrypt));
	if (!customer || !valid) throw new ApiError("INVALID_CREDENTIALS");
	await attempt.succeeded();
	let passwordHash = customer.passwordHash;
	if (needsRehash(passwordHash, scrypt)) {
		const rehashed = await hashPassword(password, scrypt);
		if (await customers.replaceHash(customer.id, passwordHash, rehashed)) passwordHash = rehashed;
	}
	// The session is stored only if the password checked is still the customer's.
	const tokens = await startSession(c, { id: customer.id, passwordHash });
	if (!tokens) throw new ApiError("INVALID_CREDENTIALS");
	return c.json({ success: true as const, ...tokens, customer: profile(customer) }, 200);
};

export const refreshHandler: RouteHandler<typeof refresh, AppEnv> = async (c) => {
	const { refreshToken } = c.req.valid("json");
	const tokens = await rotateSession(c.env.DB, c.get("config").tokens, refreshToken, c.get("now"), (reuse) =>
		emit(c, "session.reuse_detected", reuse),
	);
	return c.json({ success: true as const, ...tokens }, 200);
};

export const logoutHandler: RouteHandler<typeof logout, AppEnv> = async (c) => {
	const { refreshToken } = c.req.valid("json");
	await closeSession(c.env.DB, c.get("config").tokens, refreshToken, c.get("now"));
	return c.json({ success: true as const, message: "Signed out" }, 200);
};

export const logoutAllHandler: RouteHandler<typeof logoutAll, AppEnv> = async (c) => {
	const { customer } = c.get("auth");
	const revoked = await sessionRepository(c.env.DB).revokeAll(customer.id, "logout_all", new Date(c.get("now")));
	return c.json({ success: true as const, message: "Signed out everywhere", sessionsRevoked: revoked }, 200);
};
