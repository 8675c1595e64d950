import type { OtpPolicy } from "../config/config";
import { type Failure, failure } from "../errors/errors";
import { deliveryOf } from "../messaging/status";
import { rateLimited } from "./caps";
import type { PendingStatus } from "./contract";
import { atTime } from "./expiry";
import { type ChallengeState, EMPTY, holdsCode, type Registration } from "./state";

/**
 * The registrations pending for one phone. Each belongs to whoever started
 * it: a second starter gets a registration of their own and never touches a
 * live one. A client without the id (the seed's contract) is served while
 * exactly one is live.
 */
export type Registrations = ReadonlyMap<string, ChallengeState<Registration>>;

/** The registrations still holding a code at `now`. */
export function live(registrations: Registrations, now: number): ChallengeState<Registration>[] {
	const out: ChallengeState<Registration>[] = [];
	for (const r of registrations.values()) {
		const s = atTime(r, now);
		if (holdsCode(s)) out.push(s);
	}
	return out;
}

/**
 * The registration a verify, resend or status call is about, at `now`:
 * the one with `id`; without an id, the only live one. Several live and no
 * id: REGISTRATION_ID_REQUIRED. None live: the latest one's tombstone (or
 * nothing), so the caller can answer OTP_EXPIRED or OTP_NOT_FOUND.
 */
export function resolve(
	registrations: Registrations,
	id: string | undefined,
	now: number,
): ChallengeState<Registration> | Failure {
	if (id !== undefined) {
		const found = registrations.get(id);
		return found ? atTime(found, now) : failure("OTP_NOT_FOUND");
	}
	const pending = live(registrations, now);
	if (pending.length > 1) return failure("REGISTRATION_ID_REQUIRED");
	if (pending.length === 1) return pending[0] as ChallengeState<Registration>;
	let latest: ChallengeState<Registration> = EMPTY;
	for (const r of registrations.values()) if (r.lastSentAt >= latest.lastSentAt) latest = r;
	return atTime(latest, now);
}

/** Why `network` may not start another registration for the phone now; null when it may. */
export function startRefusal(registrations: Registrations, network: string, now: number, p: OtpPolicy): Failure | null {
	const pending = live(registrations, now);
	const own = pending.find((r) => r.network === network);
	if (own)
		return rateLimited(
			own.expiresAt - now,
			"A registration for this phone number is already pending from your network; finish it with its registrationId, or wait",
		);
	if (pending.length >= p.maxPendingPerPhone)
		return rateLimited(
			Math.min(...pending.map((r) => r.expiresAt)) - now,
			"Too many registrations are pending for this phone number; try again later",
		);
	return null;
}

export const isFailure = <T extends object>(value: T | Failure): value is Failure =>
	"ok" in value && value.ok === false;

/** What otp-status shows of a live registration `s` at `now`; `wait`: seconds until a resend is accepted. */
export function pendingStatus(s: ChallengeState<Registration>, now: number, p: OtpPolicy, wait: number): PendingStatus {
	return {
		ok: true,
		status: s.status === "pending" ? "pending" : "locked",
		channel: s.channel ?? "sms",
		delivery: s.deliveryStatus ? deliveryOf(s.deliveryStatus) : "queued",
		deliveries: Object.fromEntries(Object.entries(s.deliveries).map(([c, status]) => [c, deliveryOf(status)])),
		expiresAt: s.expiresAt,
		attemptsRemaining: s.status === "pending" ? Math.max(0, p.maxAttempts - s.attempts) : 0,
		resendAt: now + wait * 1000,
	};
}
