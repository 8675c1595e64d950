import { consume, verifyRefusal, wrongGuess } from "./attempts";
import { guessShareRefusal, mark } from "./caps";
import { macCode, macsEqual } from "./code";
import type { Checked, PhonePolicy } from "./contract";
import type { InFlight } from "./in-flight";
import type { PhoneStore } from "./phone-store";
import type { ChallengeState, Purpose, Subjects } from "./state";

/**
 * Checks `code` against `s` (already at `now`) and commits the outcome: a
 * counted wrong guess, or consumption. Consuming is the race gate: every
 * later check of this code sees `consumed`, so exactly one caller gets the subject.
 */
export function checkCode<P extends Purpose>(
	store: PhoneStore,
	inFlight: InFlight,
	rules: PhonePolicy,
	purpose: P,
	s: ChallengeState<Subjects[P]>,
	code: string,
	network: string,
	now: number,
): Checked<Subjects[P]> {
	const { otp, otpSecret } = rules;
	const refusal =
		(s.status === "pending" ? guessShareRefusal(store.ledger(purpose), network, now, otp) : null) ?? verifyRefusal(s);
	if (refusal) {
		if (s.id && s !== store.get(purpose, s.id)) store.commit(purpose, s);
		return refusal;
	}
	const subject = s.subject as Subjects[P];
	const mac = macCode(otpSecret, purpose, subject.phone, s.id, s.generation, code);
	if (!macsEqual(mac, s.codeMac as Uint8Array)) {
		const wrong = wrongGuess(s, otp);
		store.commit(purpose, wrong.state, mark(store.ledger(purpose), now, network, "fail"));
		return { ...wrong.failure, counted: true };
	}
	store.commit(purpose, consume(s));
	inFlight.hold(purpose, s.id, s.generation, { before: s });
	const { id, generation, challengeId, channel } = s;
	return { ok: true, subject, id, generation, challengeId, channel, at: now };
}
