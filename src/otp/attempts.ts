import type { OtpPolicy } from "../config/config";
import { type Failure, failure } from "../errors/errors";
import type { ChallengeState } from "./state";

// A code allows OTP_MAX_ATTEMPTS tries; the right one is consumed, once.

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
