import type { Mark } from "./caps";
import { generateCode, macCode, randomMac } from "./code";
import type { Caller, Issued, PhonePolicy } from "./contract";
import { armedAt } from "./fallback";
import { issue } from "./sends";
import type { ChallengeState, Channel, Purpose, Registration, ResetRequest, Subjects } from "./state";

/** What a new code is for and how it travels. `fellBack`: it is the automatic fallback's code. */
export interface CodeRequest<P extends Purpose> {
	purpose: P;
	before: ChallengeState<Subjects[P]>;
	subject: Subjects[P];
	now: number;
	caller: Caller;
	channel: Channel;
	challengeId: string;
	fellBack?: boolean;
}

/**
 * A new code for `r.before`'s registration or reset: the state to commit,
 * the send's mark, and what the caller gets. A decoy reset holds the MAC of
 * no code; a test number a fixed code, never sent by any phone channel.
 */
export function newCode<P extends Purpose>(r: CodeRequest<P>, rules: PhonePolicy) {
	const { purpose, before, subject, now, caller, channel, challengeId } = r;
	const { otp, otpSecret, testNumbers } = rules;
	const generation = before.generation + 1;
	const decoy = purpose === "reset" && (subject as ResetRequest).customerId === null;
	const testCode = channel !== "email" ? testNumbers.get(subject.phone) : undefined;
	const code = decoy ? null : (testCode ?? generateCode());
	const mac = code === null ? randomMac() : macCode(otpSecret, purpose, subject.phone, before.id, generation, code);
	const sentMark: Mark = { at: now, network: caller.network, kind: "send" };
	const locale = caller.locale ?? before.locale;
	const fellBack = r.fellBack === true || before.fellBack;
	const fallbackAt = r.fellBack ? 0 : armedAt(purpose, channel, before, now, rules.fallback);
	const next = issue(before, subject, mac, generation, now, otp, {
		challengeId,
		channel,
		locale,
		fallbackAt,
		fellBack,
	});
	const delivers = code !== null && !testCode;
	const issued: Issued = {
		ok: true,
		purpose,
		id: next.id,
		generation,
		code: delivers ? code : null,
		expiresAt: next.expiresAt,
		challengeId,
		channel,
		email: channel === "email" ? (subject as Registration).email : undefined,
		locale,
		at: now,
	};
	return { next, sentMark, issued };
}
