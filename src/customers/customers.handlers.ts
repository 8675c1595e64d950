import type { RouteHandler } from "@hono/zod-openapi";
import { challengeFor } from "../challenge/challenge-for";
import type { AppEnv } from "../http/app-env";
import { ApiError } from "../http/errors";
import { errorMessage, log } from "../http/log";
import { logPhone } from "../http/request-log";
import { hashPassword } from "../passwords/scrypt";
import { startSession } from "../sessions/start-session";
import { customerRepository } from "./customers.repository";
import type { otpStatus, resendOtp, sendOtp, verifyOtp } from "./customers.routes";

export const sendOtpHandler: RouteHandler<typeof sendOtp, AppEnv> = async (c) => {
	const { name, email, phone, password } = c.req.valid("json");
	const config = c.get("config");
	logPhone(c, phone);
	// Cheap refusals first (an indexed read, a read-only object call), so a flood
	// of refused sends never pays for the password hash (~250 ms of CPU).
	const taken = await customerRepository(c.env.DB).findTaken(email, phone);
	if (taken) throw new ApiError("CUSTOMER_EXISTS", `A customer with this ${taken} already exists`, { field: taken });
	const challenge = challengeFor(c.env, phone);
	const refused = await challenge.checkSend(phone);
	if (refused) throw ApiError.from(refused);
	const passwordHash = await hashPassword(password, config.scrypt);
	const result = await challenge.start({ name, email, phone, passwordHash }, c.get("requestId"));
	if (!result.ok) throw ApiError.from(result);
	return c.json(
		{
			success: true as const,
			message: "OTP sent successfully to your phone number",
			phone,
			channel: result.channel,
			delivery: result.delivery,
			expiresIn: config.otp.ttlMs / 1000,
		},
		200,
	);
};

export const verifyOtpHandler: RouteHandler<typeof verifyOtp, AppEnv> = async (c) => {
	const { phone, otp } = c.req.valid("json");
	logPhone(c, phone);
	const result = await challengeFor(c.env, phone).verify(otp, c.get("requestId"));
	if (!result.ok) throw ApiError.from(result);
	const { customerId } = result;
	// The customer exists now, whatever happens next: a session that cannot be
	// stored costs the tokens (the customer signs in), never the registration.
	const tokens = await startSession(c, { id: customerId, passwordHash: null }).catch((err: unknown) => {
		log("error", "session_after_registration_failed", { customerId, error: errorMessage(err) });
		return null;
	});
	return c.json(
		{ success: true as const, message: "Customer registered successfully", customerId, ...(tokens ?? {}) },
		201,
	);
};

export const resendOtpHandler: RouteHandler<typeof resendOtp, AppEnv> = async (c) => {
	const { phone, channel } = c.req.valid("json");
	logPhone(c, phone);
	if (channel === "email" && !c.get("config").email.enabled) throw new ApiError("CHANNEL_UNAVAILABLE");
	const result = await challengeFor(c.env, phone).resend(channel, c.get("requestId"));
	if (!result.ok) throw ApiError.from(result);
	return c.json(
		{
			success: true as const,
			message: channel === "email" ? "OTP sent to the registration's email address" : "OTP resent successfully",
			phone,
			channel: result.channel,
			delivery: result.delivery,
			expiresIn: c.get("config").otp.ttlMs / 1000,
		},
		200,
	);
};

export const otpStatusHandler: RouteHandler<typeof otpStatus, AppEnv> = async (c) => {
	const { phone } = c.req.valid("query");
	logPhone(c, phone);
	const result = await challengeFor(c.env, phone).pending();
	if (!result.ok) throw ApiError.from(result);
	const now = c.get("now");
	const seconds = (at: number) => Math.max(0, Math.ceil((at - now) / 1000));
	return c.json(
		{
			success: true as const,
			phone,
			status: result.status,
			channel: result.channel,
			delivery: result.delivery,
			expiresIn: seconds(result.expiresAt),
			attemptsRemaining: result.attemptsRemaining,
			resendIn: seconds(result.resendAt),
			emailFallback: c.get("config").email.enabled,
		},
		200,
	);
};
