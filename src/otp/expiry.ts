import type { OtpPolicy } from "../config/config";
import { type ChallengeState, holdsCode, isTombstone } from "./state";

// A code lives OTP_TTL_SECONDS; its tombstone stays a while longer, so verify can answer precisely, then goes.

/** Applies expiry by the clock, so no rule depends on when the alarm ran. */
export function atTime<S>(s: ChallengeState<S>, now: number): ChallengeState<S> {
	if (holdsCode(s) && now >= s.expiresAt) {
		return { ...s, status: "expired", subject: null, codeMac: null };
	}
	return s;
}

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
