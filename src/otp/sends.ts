import type { OtpPolicy } from "../config/config";
import { type Failure, failure } from "../errors/errors";
import { statusRank } from "../messaging/status";
import { randomMac } from "./code";
import { type ChallengeState, type Channel, holdsCode, type Purpose, type ResetRequest } from "./state";

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
	send: { challengeId: string; channel: Channel } & Partial<Pick<ChallengeState, "locale" | "fallbackAt" | "fellBack">>,
): ChallengeState<S> {
	return {
		...s,
		...send,
		deliveries: { ...s.deliveries, [send.channel]: "queued" },
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

/**
 * The state once the provider reported `status` for message `messageId`:
 * unchanged unless that message is the latest send and the status ranks
 * above the one held (a late or repeated callback changes nothing).
 */
export function delivered<S>(s: ChallengeState<S>, messageId: string, status: string): ChallengeState<S> {
	if (s.messageId !== messageId) return s;
	if (statusRank(status) <= statusRank(s.deliveryStatus ?? "")) return s;
	const deliveries = s.channel ? { ...s.deliveries, [s.channel]: status } : s.deliveries;
	return { ...s, deliveryStatus: status, deliveries };
}

/**
 * What a send that did not go out leaves: a registration goes back to
 * `before` (see revertSend), remembering a channel the provider refused
 * (`reachedProvider`) as failed; a reset becomes a decoy (a MAC of no code),
 * so whoever asked for it cannot tell a refused send from an unknown number.
 */
export function undone<S>(
	purpose: Purpose,
	before: ChallengeState<S>,
	failed: ChallengeState<S>,
	maxAttempts: number,
	reachedProvider: boolean,
) {
	if (purpose === "register") {
		// A fallback that did not go out still was the registration's one fallback.
		const once = failed.fellBack && !before.fellBack ? { fellBack: true, fallbackAt: 0 } : {};
		const reverted = { ...revertSend(before, failed, maxAttempts), ...once };
		if (!reachedProvider || !failed.channel) return reverted;
		return { ...reverted, deliveries: { ...reverted.deliveries, [failed.channel]: "failed" } };
	}
	const subject = { ...(failed.subject as ResetRequest), customerId: null };
	return { ...failed, codeMac: failed.codeMac && randomMac(), subject } as ChallengeState<S>;
}
