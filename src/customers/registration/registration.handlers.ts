import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import { channelRefusal, nextChannel } from "../../abuse/channel-policy";
import { takeGuess } from "../../abuse/guess-limit";
import { hashPassword } from "../../auth/passwords";
import { startSession } from "../../auth/start-session";
import type { Channel } from "../../config/config";
import { ApiError } from "../../errors/errors";
import { emit } from "../../events/emit";
import { emitIfLocked } from "../../events/locked";
import { pickLocale } from "../../messaging/i18n";
import { callerOf } from "../../otp/caller";
import { challengeFor } from "../../otp/challenge-for";
import { deliverIssued } from "../../otp/send-pipeline";
import type { Phone } from "../../phone/parse";
import type { AppEnv } from "../../platform/app-env";
import { errorMessage, log } from "../../platform/log";
import { logPhone } from "../../platform/request-log";
import { customerRepository } from "../repository";
import { createCustomer } from "./create-customer";
import type { otpStatus, otpStatusByBody, resendOtp, sendOtp, verifyOtp } from "./registration.routes";

const SENT: Record<Channel, string> = {
	sms: "OTP sent successfully to your phone number",
	whatsapp: "OTP sent by WhatsApp to your phone number",
	call: "A call is reading the OTP out to your phone number",
	email: "OTP sent to the registration's email address",
};

export const sendOtpHandler: RouteHandler<typeof sendOtp, AppEnv> = async (c) => {
	const { name, email, phone, password, registrationId, channel, locale } = c.req.valid("json");
	const config = c.get("config");
	const caller = { ...callerOf(c), locale: pickLocale(locale, c.req.header("accept-language"), config.defaultLocale) };
	logPhone(c, phone);
	// Cheap refusals first (an indexed read, a read-only object call), so a flood
	// of refused sends never pays for the password hash (~250 ms of CPU).
	const taken = await customerRepository(c.env.DB).findTaken(email, phone.e164);
	if (taken) throw new ApiError("CUSTOMER_EXISTS", `A customer with this ${taken} already exists`, { field: taken });
	const refusal = channelRefusal(channel, phone, config);
	if (refusal) throw ApiError.from(refusal);
	const challenge = challengeFor(c.env, phone);
	const refused = await challenge.checkSend(registrationId, caller.network);
	if (refused) throw ApiError.from(refused);
	const passwordHash = await hashPassword(password, config.scrypt);
	const subject = { name, email, phone: phone.e164, passwordHash };
	const issued = await challenge.start(subject, registrationId, caller, channel);
	const result = await deliverIssued(c.env, config, challenge, issued, phone, caller);
	if (!result.ok) throw ApiError.from(result);
	return c.json(
		{
			success: true as const,
			message: SENT[result.channel],
			phone: phone.e164,
			registrationId: result.registrationId,
			channel: result.channel,
			delivery: result.delivery,
			expiresIn: config.otp.ttlMs / 1000,
		},
		200,
	);
};

export const verifyOtpHandler: RouteHandler<typeof verifyOtp, AppEnv> = async (c) => {
	const { phone, otp, registrationId } = c.req.valid("json");
	logPhone(c, phone);
	requireRegistrationId(c, registrationId);
	const guess = await takeGuess(c);
	const challenge = challengeFor(c.env, phone);
	const checked = await challenge.verify(otp, registrationId, callerOf(c));
	if (!checked.counted) await guess.release();
	emitIfLocked(c, checked, phone, "register");
	if (!checked.ok) throw ApiError.from(checked);
	const customerId = await createCustomer(c, challenge, checked, phone);
	emit(c, "customer.registered", { customerId, phone: phone.masked, channel: checked.channel ?? "sms" });
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
	const { phone, channel, registrationId } = c.req.valid("json");
	logPhone(c, phone);
	requireRegistrationId(c, registrationId);
	const config = c.get("config");
	if (!config.channels.enabled.has(channel)) throw new ApiError("CHANNEL_UNAVAILABLE");
	// An emailed code proves the email instead of the phone: only the registration's holder may switch to it.
	if (channel === "email" && registrationId === undefined)
		throw new ApiError("VALIDATION_ERROR", "registrationId: is required for the email channel", {
			field: "registrationId",
		});
	// The number's own refusal (its country) is answered only once a registration is found.
	const blocked = channelRefusal(channel, phone, config);
	const caller = callerOf(c);
	const challenge = challengeFor(c.env, phone);
	const issued = await challenge.resend(channel, registrationId, caller, blocked);
	const result = await deliverIssued(c.env, config, challenge, issued, phone, caller);
	if (!result.ok) throw ApiError.from(result);
	return c.json(
		{
			success: true as const,
			message: channel === "email" ? "OTP sent to the registration's email address" : "OTP resent successfully",
			phone: phone.e164,
			// Only to whoever named it: an id-less resend must never hand out the owner's id.
			...(registrationId ? { registrationId } : {}),
			channel: result.channel,
			delivery: result.delivery,
			expiresIn: c.get("config").otp.ttlMs / 1000,
		},
		200,
	);
};

export const otpStatusHandler: RouteHandler<typeof otpStatus, AppEnv> = async (c) =>
	c.json(await statusOf(c, c.req.valid("query")), 200);

export const otpStatusByBodyHandler: RouteHandler<typeof otpStatusByBody, AppEnv> = async (c) =>
	c.json(await statusOf(c, c.req.valid("json")), 200);

/** What otp-status answers for a registration, however the request named it. */
async function statusOf(c: Context<AppEnv>, { phone, registrationId }: { phone: Phone; registrationId: string }) {
	logPhone(c, phone);
	const result = await challengeFor(c.env, phone).pending(registrationId, callerOf(c).network);
	if (!result.ok) throw ApiError.from(result);
	const config = c.get("config");
	const now = c.get("now");
	const seconds = (at: number) => Math.max(0, Math.ceil((at - now) / 1000));
	return {
		success: true as const,
		phone: phone.e164,
		status: result.status,
		channel: result.channel,
		delivery: result.delivery,
		deliveries: result.deliveries,
		nextChannel: nextChannel(Object.keys(result.deliveries) as Channel[], phone, config),
		expiresIn: seconds(result.expiresAt),
		attemptsRemaining: result.attemptsRemaining,
		resendIn: seconds(result.resendAt),
		emailFallback: config.channels.enabled.has("email"),
	};
}

/** REGISTRATION_ID_REQUIRED=true: the id-less path of the seed's contract is closed. */
function requireRegistrationId(c: Context<AppEnv>, registrationId: string | undefined): void {
	if (registrationId === undefined && c.get("config").registrationIdRequired)
		throw new ApiError("VALIDATION_ERROR", "registrationId: is required", { field: "registrationId" });
}
