import type { OtpPolicy } from "../config/config";
import { type Failure, failure } from "../http/errors";

const HOUR_MS = 3_600_000;

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
	/** Times of sends in the last hour, oldest first. Survives every status. */
	sendLog: number[];
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
};

export const holdsCode = (s: ChallengeState) => s.status === "pending" || s.status === "burned";

/** Applies expiry by the clock, so no rule depends on when the alarm ran. */
export function atTime<S>(s: ChallengeState<S>, now: number): ChallengeState<S> {
	if (holdsCode(s) && now >= s.expiresAt) {
		return { ...s, status: "expired", subject: null, codeMac: null };
	}
	return s;
}

/** Cooldown since the last send, then the hourly cap. Null when a send may go. */
export function sendRefusal(s: ChallengeState, now: number, p: OtpPolicy): Failure | null {
	if (s.lastSentAt && now < s.lastSentAt + p.cooldownMs) {
		return rateLimited(s.lastSentAt + p.cooldownMs - now, "Wait before requesting another code");
	}
	const recent = s.sendLog.filter((t) => t > now - HOUR_MS);
	if (recent.length >= p.maxSendsPerHour) {
		return rateLimited(
			(recent[0] as number) + HOUR_MS - now,
			"Too many codes requested for this phone number; try again later",
		);
	}
	return null;
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
): ChallengeState<S> {
	return {
		status: "pending",
		subject,
		codeMac,
		attempts: 0,
		generation,
		expiresAt: now + p.ttlMs,
		lastSentAt: now,
		sendLog: [...s.sendLog.filter((t) => t > now - HOUR_MS), now],
	};
}

/**
 * Undoes a send that failed: back to `before`, keeping the send in the hourly
 * log (Twilio may have delivered it after all) and any wrong guesses made
 * meanwhile, so a failing send can never refund guesses or the cap.
 */
export function revertSend<S>(
	before: ChallengeState<S>,
	failed: ChallengeState<S>,
	maxAttempts: number,
): ChallengeState<S> {
	const attempts = before.attempts + failed.attempts;
	const burned = before.status === "pending" && attempts >= maxAttempts;
	return {
		...before,
		attempts,
		status: burned ? "burned" : before.status,
		codeMac: burned ? null : before.codeMac,
		sendLog: failed.sendLog,
	};
}

/** Why a verify cannot even be tried against the code; null when it can. */
export function verifyRefusal(s: ChallengeState): Failure | null {
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

/** A wrong guess: counts, and burns the code on the last allowed one. */
export function wrongGuess<S>(s: ChallengeState<S>, p: OtpPolicy): { state: ChallengeState<S>; failure: Failure } {
	const attempts = s.attempts + 1;
	if (attempts >= p.maxAttempts) {
		return {
			state: { ...s, attempts, status: "burned", codeMac: null },
			failure: failure("OTP_TOO_MANY_ATTEMPTS"),
		};
	}
	return {
		state: { ...s, attempts },
		failure: failure("OTP_INVALID", { attemptsRemaining: p.maxAttempts - attempts }),
	};
}

/** The right code: the subject leaves the object, a tombstone stays. */
export function consume<S>(s: ChallengeState<S>): ChallengeState<S> {
	return { ...s, status: "consumed", subject: null, codeMac: null };
}

/**
 * When the alarm should next run: at expiry while a code is held, otherwise
 * when both the tombstone and the hourly send log have run out. 0 = purge now.
 */
export function nextWake(s: ChallengeState, p: OtpPolicy): number {
	if (holdsCode(s)) return s.expiresAt;
	const lastSend = s.sendLog.at(-1) ?? 0;
	const logUntil = lastSend ? lastSend + HOUR_MS : 0;
	const tombUntil = s.status === "expired" || s.status === "consumed" ? s.expiresAt + p.tombstoneMs : 0;
	return Math.max(logUntil, tombUntil);
}

function rateLimited(ms: number, message: string): Failure {
	return failure("RATE_LIMITED", { retryAfter: Math.max(1, Math.ceil(ms / 1000)), message });
}
