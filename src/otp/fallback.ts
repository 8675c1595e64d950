import { deliveryOf } from "../messaging/status";
import type { Registrations } from "./registrations";
import { type ChallengeState, type Channel, holdsCode, type Purpose, type Registration } from "./state";

/**
 * The automatic fallback (OTP_AUTO_FALLBACK=on): a registration's code sent
 * to the phone arms a timer; a `delivered` (or `read`) receipt disarms it, a
 * failed one fires it at once. When it fires, the phone's alarm issues a new
 * code by the next channel (the previous code dies, as on any resend), once
 * per registration: the state's `fellBack` says it happened or was given up.
 */
export interface FallbackPolicy {
	auto: boolean;
	afterMs: number;
}

/** The fallback time of a code just issued by `channel` over `before`; 0: not armed. */
export function armedAt(purpose: Purpose, channel: Channel, before: ChallengeState, now: number, p: FallbackPolicy) {
	return p.auto && purpose === "register" && channel !== "email" && !before.fellBack ? now + p.afterMs : 0;
}

/** `s` once its latest send's status changed: delivered disarms the fallback, failed makes it due now. */
export function afterReceipt<S>(s: ChallengeState<S>, now: number): ChallengeState<S> {
	if (!s.fallbackAt || !s.deliveryStatus) return s;
	const delivery = deliveryOf(s.deliveryStatus);
	if (delivery === "delivered") return { ...s, fallbackAt: 0 };
	if (delivery === "failed" && s.fallbackAt > now) return { ...s, fallbackAt: now };
	return s;
}

/** The registrations whose fallback is due at `now`: pending (a locked code gets no new one by itself), armed, not yet fallen back. */
export function fallbacksDue(registrations: Registrations, now: number): ChallengeState<Registration>[] {
	return [...registrations.values()].filter(
		(s) => s.status === "pending" && !s.fellBack && s.fallbackAt > 0 && s.fallbackAt <= now && now < s.expiresAt,
	);
}

/** When the alarm must run for `s`'s fallback; 0: never. */
export const fallbackWake = (s: ChallengeState) => (holdsCode(s) && !s.fellBack ? s.fallbackAt : 0);

/** The channels a registration's codes were sent by, for the next one to offer. */
export const triedChannels = (s: ChallengeState) => Object.keys(s.deliveries) as Channel[];
