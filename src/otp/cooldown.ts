import type { OtpPolicy } from "../config/config";
import type { Failure } from "../errors/errors";
import { rateLimited } from "./caps";
import type { ChallengeState } from "./state";

/** The cooldown since this code's last send; null when it is over. */
export function cooldownRefusal(s: ChallengeState, now: number, p: OtpPolicy): Failure | null {
	if (s.lastSentAt && now < s.lastSentAt + p.cooldownMs) {
		return rateLimited(s.lastSentAt + p.cooldownMs - now, "Wait before requesting another code");
	}
	return null;
}
