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

export interface Registration {
	name: string;
	email: string;
	phone: string;
	passwordHash: string;
}

export interface ChallengeState {
	status: Status;
	/** Present exactly when status is `pending` or `burned`. */
	registration: Registration | null;
	codeMac: Uint8Array | null;
	attempts: number;
	/** Bumped by every issued code; lets a failed send roll back only its own code. */
	generation: number;
	expiresAt: number;
	lastSentAt: number;
	/** Times of sends in the last hour, oldest first. Survives every status. */
	sendLog: number[];
}

export const EMPTY: ChallengeState = {
	status: "none",
	registration: null,
	codeMac: null,
	attempts: 0,
	generation: 0,
	expiresAt: 0,
	lastSentAt: 0,
	sendLog: [],
};

const holdsCode = (s: ChallengeState) => s.status === "pending" || s.status === "burned";

/** Applies expiry by the clock, so no rule depends on when the alarm ran. */
export function atTime(s: ChallengeState, now: number): ChallengeState {
	if (holdsCode(s) && now >= s.expiresAt) {
		return { ...s, status: "expired", registration: null, codeMac: null };
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

/** Whether resend-otp has a registration to send a new code for. */
export function resendRefusal(s: ChallengeState): Failure | null {
	if (s.status === "expired") return failure("OTP_EXPIRED", { message: "The registration has expired; start again" });
	if (!holdsCode(s)) return failure("OTP_NOT_FOUND");
	return null;
}

/** The state after a new code was issued (and before it is sent). */
export function issue(
	s: ChallengeState,
	registration: Registration,
	codeMac: Uint8Array,
	generation: number,
	now: number,
	p: OtpPolicy,
): ChallengeState {
	return {
		status: "pending",
		registration,
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
export function revertSend(before: ChallengeState, failed: ChallengeState, maxAttempts: number): ChallengeState {
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
export function wrongGuess(s: ChallengeState, p: OtpPolicy): { state: ChallengeState; failure: Failure } {
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

/** The right code: the registration leaves the object, a tombstone stays. */
export function consume(s: ChallengeState): ChallengeState {
	return { ...s, status: "consumed", registration: null, codeMac: null };
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
