import type { RouteHandler } from "@hono/zod-openapi";
import { countryRefusal } from "../../abuse/country-policy";
import { takeGuess } from "../../abuse/guess-limit";
import { verifyPassword } from "../../auth/passwords";
import { profile } from "../../auth/start-session";
import { accountKey, beginLoginAttempt, resetLoginThrottle } from "../../auth/throttle/login-attempt";
import { ApiError } from "../../errors/errors";
import { emit } from "../../events/emit";
import { emitIfLocked } from "../../events/locked";
import { callerOf } from "../../otp/caller";
import { challengeFor } from "../../otp/challenge-for";
import { deliverIssued } from "../../otp/send-pipeline";
import type { AppEnv } from "../../platform/app-env";
import { errorMessage, log } from "../../platform/log";
import { logPhone } from "../../platform/request-log";
import { customerRepository } from "../repository";
import type { deleteMe, getMe, sendResetOtp, verifyReset } from "./account.routes";
import { completeReset } from "./complete-reset";

export const getMeHandler: RouteHandler<typeof getMe, AppEnv> = async (c) => {
	const { customer } = c.get("auth");
	return c.json(
		{
			success: true as const,
			customer: {
				...profile(customer),
				phoneVerifiedAt: customer.phoneVerifiedAt?.toISOString() ?? null,
				emailVerifiedAt: customer.emailVerifiedAt?.toISOString() ?? null,
				createdAt: customer.createdAt.toISOString(),
			},
		},
		200,
	);
};

export const deleteMeHandler: RouteHandler<typeof deleteMe, AppEnv> = async (c) => {
	const { password } = c.req.valid("json");
	const { customer } = c.get("auth");
	// A stolen access token must not become a way to guess the password.
	const attempt = await beginLoginAttempt(c, accountKey(customer.id));
	if (!(await verifyPassword(password, customer.passwordHash))) throw new ApiError("INVALID_CREDENTIALS");
	await attempt.succeeded();
	await customerRepository(c.env.DB).delete(customer.id);
	log("info", "customer_deleted", { customerId: customer.id });
	emit(c, "customer.deleted", { customerId: customer.id });
	return c.json({ success: true as const, message: "Your account has been deleted" }, 200);
};

export const sendResetOtpHandler: RouteHandler<typeof sendResetOtp, AppEnv> = async (c) => {
	const { phone } = c.req.valid("json");
	logPhone(c, phone);
	// The country depends on the number alone, so refusing it tells nothing about an account.
	const config = c.get("config");
	const refused = countryRefusal(phone, config.smsPolicy);
	if (refused) throw ApiError.from(refused);
	const customer = await customerRepository(c.env.DB).findBy({ phone: phone.e164 });
	// A phone never proven by SMS (registered by the email fallback) may belong to a stranger:
	// it gets the decoy, exactly like a number no customer has.
	const owner = customer?.phoneVerifiedAt ? customer : undefined;
	// The object call (and the SMS) run after the answer, known number or not, so
	// neither the answer nor its timing tells whether the number is registered.
	// A refused or failed send leaves a decoy, as an unknown number does: the operator's log tells them apart.
	const caller = callerOf(c);
	const challenge = challengeFor(c.env, phone);
	const started = challenge
		.startReset(owner?.id ?? null, phone.e164, caller)
		.then((issued) => deliverIssued(c.env, config, challenge, issued, phone, caller))
		.then(
			(result) => {
				if (!result.ok) log("info", "password_reset_not_sent", { phone: phone.masked, code: result.code });
			},
			(err: unknown) => log("error", "password_reset_failed", { phone: phone.masked, error: errorMessage(err) }),
		);
	c.executionCtx.waitUntil(started);
	return c.json(
		{
			success: true as const,
			message: "If this phone number belongs to an account, a code is on its way",
			expiresIn: config.otp.ttlMs / 1000,
		},
		200,
	);
};

export const verifyResetHandler: RouteHandler<typeof verifyReset, AppEnv> = async (c) => {
	const { phone, otp, newPassword } = c.req.valid("json");
	logPhone(c, phone);
	const guess = await takeGuess(c);
	const challenge = challengeFor(c.env, phone);
	const checked = await challenge.verifyReset(otp, callerOf(c));
	if (!checked.counted) await guess.release();
	emitIfLocked(c, checked, phone, "reset");
	if (!checked.ok) throw ApiError.from(checked);
	const customerId = await completeReset(c, challenge, checked, newPassword, phone);
	// The phone proved who this is: earlier failed sign-ins no longer stand in the way.
	await resetLoginThrottle(c.env, customerId);
	return c.json(
		{ success: true as const, message: "Your password has been changed; every session has been signed out" },
		200,
	);
};
