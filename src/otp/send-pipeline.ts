import { clearToSend, codeVerified } from "../abuse/clear-to-send";
import type { Config } from "../config/config";
import { deliverCode, deliveryFailure } from "../messaging/deliver";
import { reportFailed, reportSent, reportVerified, type SendContext } from "../messaging/report";
import { deliveryOf, statusRank } from "../messaging/status";
import { generateCode, macCode } from "./code";
import type { Caller, SendResult } from "./phone-challenge";
import type { PhoneStore } from "./phone-store";
import {
	type ChallengeState,
	type Channel,
	delivered,
	holdsCode,
	issue,
	type Purpose,
	type Registration,
	type ResetRequest,
	revertSend,
	type Subjects,
} from "./rules";
import type { Mark } from "./shares";

/**
 * The send pipeline of one phone's object: issue and commit a code, then
 * clear it with the budgets and the range guard, deliver it, report it;
 * undo what did not go out. Runs inside the object, on its store.
 */
export class CodeSender {
	/**
	 * Statuses heard for a message before its send returned its id (the
	 * callback overtook the API answer); applied when the id arrives.
	 */
	#early = new Map<string, string>();

	constructor(
		private readonly env: Env,
		private readonly store: PhoneStore,
		private readonly config: () => Config,
	) {}

	/** Keeps the best status heard for a message no code knows yet (its send may still await Twilio), a few at most. */
	heardEarly(messageId: string, status: string): void {
		if (this.#early.size < 16 && statusRank(status) > statusRank(this.#early.get(messageId) ?? ""))
			this.#early.set(messageId, status);
	}

	/**
	 * Issues a new code, commits it with its mark, then sends it. The commit
	 * comes first: the send awaits the network, and requests that run
	 * meanwhile must see the new code (and its cooldown). A send that fails
	 * is reverted (a reset's becomes a decoy), unless a later send replaced it.
	 */
	async send<P extends Purpose>(
		purpose: P,
		before: ChallengeState<Subjects[P]>,
		subject: Subjects[P],
		now: number,
		send: Caller & { challengeId: string; channel: Channel },
	): Promise<SendResult> {
		const { otp, otpSecret, smsPolicy } = this.config();
		const { challengeId, channel, network } = send;
		// A test number has a fixed code and never costs a message.
		const testCode = channel === "sms" ? smsPolicy.testNumbers.get(subject.phone) : undefined;
		const code = testCode ?? generateCode();
		const generation = before.generation + 1;
		const mac = macCode(otpSecret, purpose, subject.phone, before.id, generation, code);
		const sentMark: Mark = { at: now, network, kind: "send" };
		const next = issue(before, subject, mac, generation, now, otp, { challengeId, channel });
		this.store.commit(purpose, next, [...this.store.recentLedger(purpose, now), sentMark]);
		const ok = { ok: true as const, registrationId: before.id, expiresAt: next.expiresAt, channel };
		if (testCode) return { ...ok, delivery: "queued" };

		const context: SendContext = { ...send, purpose, phone: subject.phone };
		if (channel === "email") context.email = (subject as Registration).email;
		else {
			const cleared = await clearToSend(this.env, this.config(), subject.phone);
			if ("ok" in cleared) {
				this.#undo(purpose, before, generation, sentMark);
				return cleared;
			}
		}
		const outcome = await deliverCode(this.config(), context, code);
		if (outcome.ok) {
			const status = this.#sent(purpose, before.id, generation, outcome.id, outcome.status);
			await reportSent(this.env, context, outcome.id, status, now);
			return { ...ok, delivery: deliveryOf(status) };
		}
		this.#undo(purpose, before, generation, null);
		await reportFailed(this.env, context, outcome, now);
		return deliveryFailure(context, outcome);
	}

	/**
	 * The send of `generation` did not go out: a registration goes back to
	 * `before` (see revertSend), a reset becomes a decoy. `unsent`: the mark
	 * of a send that never reached the provider, taken back.
	 */
	#undo<P extends Purpose>(purpose: P, before: ChallengeState<Subjects[P]>, generation: number, unsent: Mark | null) {
		const current = this.store.get(purpose, before.id);
		const ledger = unsent ? this.store.ledger(purpose).filter((m) => m !== unsent) : undefined;
		if (!current || current.generation !== generation || !holdsCode(current)) {
			if (ledger) this.store.commitLedger(purpose, ledger);
			return;
		}
		const next =
			purpose === "reset"
				? {
						...current,
						codeMac: current.codeMac && randomMac(),
						subject: { ...(current.subject as ResetRequest), customerId: null },
					}
				: revertSend(before, current, this.config().otp.maxAttempts);
		this.store.commit(purpose, next, purpose === "reset" ? undefined : ledger);
	}

	/** Records the provider's id and first status on the send of `generation`, if still the latest; returns the status held. */
	#sent(purpose: Purpose, id: string, generation: number, messageId: string, status: string): string {
		const early = this.#early.get(messageId);
		this.#early.delete(messageId);
		const current = this.store.get(purpose, id);
		if (!current || current.generation !== generation) return status;
		const sent = { ...current, messageId, deliveryStatus: status };
		const next = early ? delivered(sent, messageId, early) : sent;
		this.store.commit(purpose, next);
		return next.deliveryStatus ?? status;
	}

	/** A right code: the messages of its challenge count as converted, and the range's guard hears of it. */
	async verified(purpose: Purpose, before: ChallengeState, phone: string, now: number, requestId?: string) {
		if (before.channel !== "email") await codeVerified(this.env, this.config(), phone);
		if (!before.challengeId || this.config().smsPolicy.testNumbers.has(phone)) return;
		const context = { requestId, purpose, channel: before.channel ?? "sms", challengeId: before.challengeId, phone };
		await reportVerified(this.env, context, now);
	}
}

/** Random bytes are the MAC of no code. */
export const randomMac = () => crypto.getRandomValues(new Uint8Array(32));
