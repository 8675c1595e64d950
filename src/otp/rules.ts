import type { OtpPolicy } from "../config/config";
import { type Failure, failure } from "../errors/errors";
import { statusRank } from "../messaging/status";
import { rateLimited } from "./shares";

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
	/** The registration's id (what the client sends as `registrationId`), or `reset`. */
	id: string;
	/** The client network that started it. */
	network: string;
	status: Status;
	/** Present exactly when status is `pending` or `burned`. */
	subject: S | null;
	codeMac: Uint8Array | null;
	attempts: number;
	/** Bumped by every issued code; lets a failed send roll back only its own code. */
	generation: number;
	expiresAt: number;
	lastSentAt: number;
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
	id: "",
	network: "",
	status: "none",
	subject: null,
	codeMac: null,
	attempts: 0,
	generation: 0,
	expiresAt: 0,
	lastSentAt: 0,
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

/** The cooldown since this code's last send; null when it is over. */
export function cooldownRefusal(s: ChallengeState, now: number, p: OtpPolicy): Failure | null {
	if (s.lastSentAt && now < s.lastSentAt + p.cooldownMs) {
		return rateLimited(s.lastSentAt + p.cooldownMs - now, "Wait before requesting another code");
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
	send: { challengeId: string; channel: Channel },
): ChallengeState<S> {
	return {
		...s,
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
	};
}

/**
 * Undoes a send that did not go out as planned: back to `before`, keeping any
 * wrong guesses made meanwhile, so a failing send can never refund guesses.
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
	};
}

/** Why a verify cannot even be tried against this code; null when it can. */
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

/** A wrong guess: counts for the code, and burns it on the last allowed one. */
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

/** When the alarm should next look at this code: at expiry, at the end of its tombstone period; 0 = nothing held. */
export function nextWake(s: ChallengeState, p: OtpPolicy): number {
	if (holdsCode(s)) return s.expiresAt;
	if (isTombstone(s)) return s.expiresAt + p.tombstoneMs;
	return 0;
}

/** What the alarm keeps of a code at `now`: null once nothing is left to keep (a tombstone past its period). */
export function settle<S>(s: ChallengeState<S>, now: number, p: OtpPolicy): ChallengeState<S> | null {
	if (holdsCode(s)) return s;
	if (isTombstone(s) && now < s.expiresAt + p.tombstoneMs) return s;
	return null;
}
