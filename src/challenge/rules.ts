import type { OtpPolicy } from "../config/config";
import { statusRank } from "../delivery/status";
import { type Failure, failure } from "../http/errors";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * - `none`: nothing pending (never sent, purged, or a send that failed).
 * - `pending`: a live code awaits verification.
 * - `burned`: the code took its last wrong guess; a resend can issue a new one.
 * - `expired`, `consumed`: tombstones without any personal data, kept for a
 *   while so verify can answer precisely, then purged.
 */
export type Status = "none" | "pending" | "burned" | "expired" | "consumed";

/** Which flow a code belongs to; each has its own state in a phone's object. */
export type Purpose = "register" | "reset";

/** How a code travels: SMS to the phone, or (registration fallback) email to the registration's address. */
export type Channel = "sms" | "email";

/** What a registration code proves: the details of the customer to create. */
export interface Registration {
	name: string;
	email: string;
	phone: string;
	passwordHash: string;
}

/**
 * What a password-reset code proves: control of a registered customer's
 * phone. `customerId` is null for a decoy: a reset asked for a number no
 * customer has, held exactly like a real one (but never texted and never
 * matched), so neither endpoint tells whether a number is registered.
 */
export interface ResetRequest {
	customerId: number | null;
	phone: string;
}

/** What each purpose's code proves once it is right. */
export interface Subjects {
	register: Registration;
	reset: ResetRequest;
}

export interface ChallengeState<S = unknown> {
	status: Status;
	/** Present exactly when status is `pending` or `burned`. */
	subject: S | null;
	codeMac: Uint8Array | null;
	attempts: number;
	/** Bumped by every issued code; lets a failed send roll back only its own code. */
	generation: number;
	expiresAt: number;
	lastSentAt: number;
	/** Times of sends in the last day, oldest first. Survives every status. */
	sendLog: number[];
	/** Times of wrong codes in the last day, oldest first, over every code. Survives every status. */
	failLog: number[];
	/** Ties every send of one registration (or reset) together in the messages table; resends keep it. */
	challengeId: string | null;
	/** How the live code was sent. */
	channel: Channel | null;
	/** The provider's id of the latest send, once it answered. */
	messageId: string | null;
	/** The provider's latest status of that send (delivery/status.ts), null until it answered. */
	deliveryStatus: string | null;
}

export const EMPTY: ChallengeState<never> = {
	status: "none",
	subject: null,
	codeMac: null,
	attempts: 0,
	generation: 0,
	expiresAt: 0,
	lastSentAt: 0,
	sendLog: [],
	failLog: [],
	challengeId: null,
	channel: null,
	messageId: null,
	deliveryStatus: null,
};

export const holdsCode = (s: ChallengeState) => s.status === "pending" || s.status === "burned";

/** Applies expiry by the clock, so no rule depends on when the alarm ran. */
export function atTime<S>(s: ChallengeState<S>, now: number): ChallengeState<S> {
	if (holdsCode(s) && now >= s.expiresAt) {
		return { ...s, status: "expired", subject: null, codeMac: null };
	}
	return s;
}

/** Cooldown since the last send, then the daily cap on wrong codes, the hourly and the daily send caps. Null when a send may go. */
export function sendRefusal(s: ChallengeState, now: number, p: OtpPolicy): Failure | null {
	if (s.lastSentAt && now < s.lastSentAt + p.cooldownMs) {
		return rateLimited(s.lastSentAt + p.cooldownMs - now, "Wait before requesting another code");
	}
	return (
		failedTooOften(s, now, p) ??
		capRefusal(s.sendLog, now, HOUR_MS, p.maxSendsPerHour) ??
		capRefusal(s.sendLog, now, DAY_MS, p.maxSendsPerDay)
	);
}

/** Refuses while the phone has had its daily share of wrong codes: new codes would only buy more guesses. */
export function failedTooOften(s: ChallengeState, now: number, p: OtpPolicy): Failure | null {
	const recent = s.failLog.filter((t) => t > now - DAY_MS);
	if (recent.length < p.maxFailedPerDay) return null;
	return rateLimited(
		(recent[0] as number) + DAY_MS - now,
		"Too many incorrect codes for this phone number today; try again later",
	);
}

function capRefusal(log: number[], now: number, windowMs: number, cap: number): Failure | null {
	const recent = log.filter((t) => t > now - windowMs);
	if (recent.length < cap) return null;
	return rateLimited(
		(recent.at(-cap) as number) + windowMs - now,
		"Too many codes requested for this phone number; try again later",
	);
}

/** Whether resend-otp has a subject to send a new code for. */
export function resendRefusal(s: ChallengeState): Failure | null {
	if (s.status === "expired") return failure("OTP_EXPIRED", { message: "The registration has expired; start again" });
	if (!holdsCode(s)) return failure("OTP_NOT_FOUND");
	return null;
}

/** The state after a new code was issued (and before it is sent). */
export function issue<S>(
	s: ChallengeState<S>,
	subject: S,
	codeMac: Uint8Array,
	generation: number,
	now: number,
	p: OtpPolicy,
	send: { challengeId: string; channel: Channel },
): ChallengeState<S> {
	return {
		...send,
		messageId: null,
		deliveryStatus: null,
		status: "pending",
		subject,
		codeMac,
		attempts: 0,
		generation,
		expiresAt: now + p.ttlMs,
		lastSentAt: now,
		sendLog: [...s.sendLog.filter((t) => t > now - DAY_MS), now],
		failLog: s.failLog.filter((t) => t > now - DAY_MS),
	};
}

/**
 * Undoes a send that did not go out as planned: back to `before`, keeping any
 * wrong guesses made meanwhile, so a failing send can never refund guesses.
 * A send that reached the provider stays in the log (Twilio may have
 * delivered it after all); one that never left (`sent: false`) does not.
 */
export function revertSend<S>(
	before: ChallengeState<S>,
	failed: ChallengeState<S>,
	maxAttempts: number,
	sent = true,
): ChallengeState<S> {
	const attempts = before.attempts + failed.attempts;
	const burned = before.status === "pending" && attempts >= maxAttempts;
	return {
		...before,
		attempts,
		status: burned ? "burned" : before.status,
		codeMac: burned ? null : before.codeMac,
		sendLog: sent ? failed.sendLog : failed.sendLog.filter((t) => t !== failed.lastSentAt),
		failLog: failed.failLog,
	};
}

/** Why a verify cannot even be tried against the code; null when it can. */
export function verifyRefusal(s: ChallengeState, now: number, p: OtpPolicy): Failure | null {
	const tooMany = s.status === "pending" ? failedTooOften(s, now, p) : null;
	if (tooMany) return tooMany;
	switch (s.status) {
		case "pending":
			return null;
		case "burned":
			return failure("OTP_TOO_MANY_ATTEMPTS");
		case "expired":
			return failure("OTP_EXPIRED");
		default:
			return failure("OTP_NOT_FOUND");
	}
}

/** A wrong guess: counts (for the code and for the day), and burns the code on the last allowed one. */
export function wrongGuess<S>(
	s: ChallengeState<S>,
	now: number,
	p: OtpPolicy,
): { state: ChallengeState<S>; failure: Failure } {
	const attempts = s.attempts + 1;
	const failLog = [...s.failLog.filter((t) => t > now - DAY_MS), now];
	if (attempts >= p.maxAttempts) {
		return {
			state: { ...s, attempts, failLog, status: "burned", codeMac: null },
			failure: failure("OTP_TOO_MANY_ATTEMPTS"),
		};
	}
	return {
		state: { ...s, attempts, failLog },
		failure: failure("OTP_INVALID", { attemptsRemaining: p.maxAttempts - attempts }),
	};
}

/** The right code: the subject leaves the object, a tombstone stays. */
export function consume<S>(s: ChallengeState<S>): ChallengeState<S> {
	return { ...s, status: "consumed", subject: null, codeMac: null };
}

/**
 * The state once the provider reported `status` for message `messageId`:
 * unchanged unless that message is the latest send and the status ranks
 * above the one held (a late or repeated callback changes nothing).
 */
export function delivered<S>(s: ChallengeState<S>, messageId: string, status: string): ChallengeState<S> {
	if (s.messageId !== messageId) return s;
	if (statusRank(status) <= statusRank(s.deliveryStatus ?? "")) return s;
	return { ...s, deliveryStatus: status };
}

const isTombstone = (s: ChallengeState) => s.status === "expired" || s.status === "consumed";

/**
 * When the alarm should next run: at expiry while a code is held, at the end
 * of a tombstone's period, otherwise when the daily send and failure logs run
 * out. 0 = purge now.
 */
export function nextWake(s: ChallengeState, p: OtpPolicy): number {
	if (holdsCode(s)) return s.expiresAt;
	if (isTombstone(s)) return s.expiresAt + p.tombstoneMs;
	const last = Math.max(s.sendLog.at(-1) ?? 0, s.failLog.at(-1) ?? 0);
	return last ? last + DAY_MS : 0;
}

/**
 * What the alarm leaves of a state at `now`: a tombstone past its period
 * becomes `none` (keeping the daily logs); null when nothing is left to keep.
 */
export function settle<S>(s: ChallengeState<S>, now: number, p: OtpPolicy): ChallengeState<S> | null {
	const aged = isTombstone(s) && now >= s.expiresAt + p.tombstoneMs ? { ...s, status: "none" as const } : s;
	if (holdsCode(aged) || isTombstone(aged)) return aged;
	return now >= nextWake(aged, p) ? null : aged;
}

function rateLimited(ms: number, message: string): Failure {
	return failure("RATE_LIMITED", { retryAfter: Math.max(1, Math.ceil(ms / 1000)), message });
}
