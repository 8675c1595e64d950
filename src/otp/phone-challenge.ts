import { DurableObject } from "cloudflare:workers";
import { getConfig } from "../config/config";
import { type Failure, failure } from "../errors/errors";
import { statusRank } from "../messaging/status";
import { sendShareRefusal } from "./caps";
import { checkCode } from "./check-code";
import { newRegistrationId } from "./code";
import type { Caller, Checked, Issued, PendingStatus, PhonePolicy } from "./contract";
import { cooldownRefusal } from "./cooldown";
import { afterReceipt, fallbacksDue } from "./fallback";
import { deliverFallback, type FallbackSend, fallbackChoice } from "./fallback-send";
import { InFlight } from "./in-flight";
import { type CodeRequest, newCode } from "./new-code";
import { PhoneStore } from "./phone-store";
import { isFailure, pendingStatus, resolve, startRefusal } from "./registrations";
import { delivered, resendRefusal, undone } from "./sends";
import {
	type ChallengeState,
	type Channel,
	EMPTY,
	holdsCode,
	type Purpose,
	type Registration,
	type ResetRequest,
	type Subjects,
} from "./state";

/**
 * One object per normalised phone number: every decision about its codes,
 * and nothing else. Each registration (by its id) and the password reset
 * have their own code, attempts, expiry and cooldown; each client network
 * has its own share of sends and wrong codes per flow, under the phone's
 * ceilings (caps.ts). Sending, budgets, D1 and hashing happen in the Worker
 * (send-pipeline.ts and the handlers), which reports back.
 *
 * Invariant: no method awaits anything but storage. Each reads the state,
 * decides and commits synchronously, so requests for one phone are
 * serialized: concurrent requests give the result of some serial order.
 * The one exception is the alarm's fallback (OTP_AUTO_FALLBACK): it commits
 * the new code first and only then sends it, reporting back through sent
 * and undo like the Worker's pipeline; a request that interleaves while it
 * waits sees the committed state.
 */
export class PhoneChallenge extends DurableObject<Env> {
	#store: PhoneStore;
	#inFlight = new InFlight();
	/** Statuses heard for a message before its send reported its id; applied when it does. */
	#early = new Map<string, string>();
	#policy: PhonePolicy | undefined;
	/** Milliseconds since the epoch; tests replace it to move time. */
	private clock: () => number = () => Date.now();

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		// SQL calls are synchronous, so the constructor finishes before any request.
		this.#store = new PhoneStore(ctx.storage, () => this.#rules.otp);
	}

	/** Whether a registration send would be refused now. Read-only and cheap: a refused send-otp costs no hash. */
	async checkSend(registrationId: string | undefined, network: string): Promise<Failure | null> {
		return this.#startRefusal(registrationId, network, this.clock());
	}

	/**
	 * Issues a registration's code. With the id of a live registration, replaces
	 * that one's details (its starter editing them); otherwise starts a separate
	 * one: a live registration is never touched.
	 */
	async start(
		registration: Registration,
		registrationId: string | undefined,
		caller: Caller,
		channel: Channel = "sms",
	): Promise<Issued | Failure> {
		const now = this.clock();
		const refusal = this.#startRefusal(registrationId, caller.network, now);
		if (refusal) return refusal;
		const editing = registrationId ? this.#store.liveRegistration(registrationId, now) : undefined;
		const before = editing ?? { ...EMPTY, id: newRegistrationId(), network: caller.network };
		const challengeId = crypto.randomUUID();
		return this.#issue({ purpose: "register", before, subject: registration, now, caller, channel, challengeId });
	}

	/**
	 * Issues a new code for a pending registration, by a phone channel or to
	 * its own email, in its language; the previous code dies. `blocked`: the
	 * channel's refusal for this number, answered only once a registration is found.
	 */
	async resend(
		channel: Channel,
		registrationId: string | undefined,
		caller: Caller,
		blocked: Failure | null = null,
	): Promise<Issued | Failure> {
		const now = this.clock();
		const target = resolve(this.#store.registrations, registrationId, now);
		if (isFailure(target)) return target;
		const { otp } = this.#rules;
		const refusal =
			resendRefusal(target) ??
			blocked ??
			cooldownRefusal(target, now, otp) ??
			sendShareRefusal(this.#store.ledger("register"), caller.network, now, otp);
		if (refusal) return refusal;
		const challengeId = target.challengeId ?? crypto.randomUUID();
		const subject = target.subject as Registration;
		const kept = { ...caller, locale: undefined };
		return this.#issue({ purpose: "register", before: target, subject, now, caller: kept, channel, challengeId });
	}

	/**
	 * Issues a password-reset code for a registered customer's phone, replacing
	 * any earlier one. For a number no customer has (`customerId` null) it holds
	 * a decoy under the same rules (a random MAC: every guess is wrong) and
	 * hands out no code, so neither endpoint tells whether a number is registered.
	 */
	async startReset(customerId: number | null, phone: string, caller: Caller): Promise<Issued | Failure> {
		const now = this.clock();
		const before = this.#store.reset(now, caller.network);
		const { otp } = this.#rules;
		const refusal =
			cooldownRefusal(before, now, otp) ?? sendShareRefusal(this.#store.ledger("reset"), caller.network, now, otp);
		if (refusal) return refusal;
		const subject = { customerId, phone };
		return this.#issue({
			purpose: "reset",
			before,
			subject,
			now,
			caller,
			channel: "sms",
			challengeId: crypto.randomUUID(),
		});
	}

	/** The provider accepted the send of `generation`: records its id and first status; returns the status held. */
	async sent(purpose: Purpose, id: string, generation: number, messageId: string, status: string): Promise<string> {
		this.#inFlight.take(purpose, id, generation);
		const early = this.#early.get(messageId);
		this.#early.delete(messageId);
		const current = this.#store.get(purpose, id);
		if (!current || current.generation !== generation) return status;
		const deliveries = { ...current.deliveries, [current.channel ?? "sms"]: status };
		const withId = { ...current, messageId, deliveryStatus: status, deliveries };
		const next = afterReceipt(early ? delivered(withId, messageId, early) : withId, this.clock());
		this.#store.commit(purpose, next);
		return next.deliveryStatus ?? status;
	}

	/**
	 * The send of `generation` did not go out: a registration goes back to what
	 * it was (see revertSend), a reset becomes a decoy; unless a later send
	 * replaced it. `reachedProvider` false: the send's mark is taken back too.
	 */
	async undo(purpose: Purpose, id: string, generation: number, reachedProvider: boolean): Promise<void> {
		const held = this.#inFlight.take(purpose, id, generation);
		if (!held) return;
		const unsent = reachedProvider ? undefined : held.mark;
		const ledger = unsent ? this.#store.ledger(purpose).filter((m) => m !== unsent) : undefined;
		const current = this.#store.get(purpose, id);
		if (!current || current.generation !== generation || !holdsCode(current)) {
			if (ledger) this.#store.commitLedger(purpose, ledger);
			return;
		}
		const { maxAttempts } = this.#rules.otp;
		this.#store.commit(purpose, undone(purpose, held.before, current, maxAttempts, reachedProvider), ledger);
	}

	/** A registration as otp-status shows it; OTP_NOT_FOUND / OTP_EXPIRED otherwise. Changes nothing. */
	async pending(registrationId: string, network: string): Promise<PendingStatus | Failure> {
		const now = this.clock();
		const s = resolve(this.#store.registrations, registrationId, now);
		if (isFailure(s)) return s;
		const refusal = resendRefusal(s);
		if (refusal) return refusal;
		const { otp } = this.#rules;
		const wait =
			(cooldownRefusal(s, now, otp) ?? sendShareRefusal(this.#store.ledger("register"), network, now, otp))
				?.retryAfter ?? 0;
		return pendingStatus(s, now, otp, wait);
	}

	/** Takes a provider's status for one of this phone's messages: only the latest send of a code, only forward. */
	async delivery(messageId: string, status: string): Promise<void> {
		const now = this.clock();
		const held = this.#store.withMessage(messageId);
		for (const [purpose, s] of held) this.#store.commit(purpose, afterReceipt(delivered(s, messageId, status), now));
		// The callback overtook the send's report (see sent): kept for it, a few at most.
		if (!held.length && this.#early.size < 16 && statusRank(status) > statusRank(this.#early.get(messageId) ?? ""))
			this.#early.set(messageId, status);
	}

	/** Checks a registration code; the right one hands out the registration (the Worker creates the customer). */
	async verify(code: string, registrationId: string | undefined, caller: Caller): Promise<Checked<Registration>> {
		const now = this.clock();
		const target = resolve(this.#store.registrations, registrationId, now);
		if (isFailure(target)) return target;
		return this.#check("register", target, code, caller.network, now);
	}

	/** Checks a password-reset code; the right one hands out the customer whose password may now be set. */
	async verifyReset(code: string, caller: Caller): Promise<Checked<ResetRequest>> {
		const now = this.clock();
		const checked = this.#check("reset", this.#store.reset(now, caller.network), code, caller.network, now);
		if (!checked.ok) return checked.code === "OTP_NOT_FOUND" ? NO_RESET : checked;
		// Unreachable: a decoy's MAC matches no code.
		if (checked.subject.customerId === null) return failure("OTP_INVALID");
		return checked;
	}

	/** D1 failed, not the customer: the right code of `generation` becomes valid again, for a retry with it. */
	async giveBack(purpose: Purpose, id: string, generation: number): Promise<void> {
		const held = this.#inFlight.take(purpose, id, generation);
		const current = this.#store.get(purpose, id);
		if (held && current?.status === "consumed" && current.generation === generation)
			this.#store.commit(purpose, held.before);
	}

	/**
	 * Expires codes, later purges everything; sends the fallbacks that are due.
	 * Safe to run at any time, any number of times.
	 */
	override async alarm(): Promise<void> {
		const now = this.clock();
		await this.#store.age(now);
		const issued = fallbacksDue(this.#store.registrations, now).map((s) => this.#fallback(s, now));
		// Each new code is committed above; only now may the object wait on the network. Requests
		// interleave from here (the input gate opens), and every one sees the committed state.
		for (const send of issued) if (send) await deliverFallback(this.env, getConfig(this.env), this, send);
	}

	/**
	 * Issues a new code for `before`'s registration or reset and commits it
	 * with its mark; the caller delivers it and reports back (sent or undo).
	 * The code leaves the object only here, in the answer to the Worker.
	 */
	#issue<P extends Purpose>(request: CodeRequest<P>): Issued {
		const { purpose, before, now } = request;
		const { next, sentMark, issued } = newCode(request, this.#rules);
		this.#store.commit(purpose, next, [...this.#store.recentLedger(purpose, now), sentMark]);
		if (issued.code !== null) this.#inFlight.hold(purpose, before.id, issued.generation, { before, mark: sentMark });
		return issued;
	}

	/**
	 * Issues and commits the fallback code of `s` by the next channel, as its
	 * starter's network (its shares and caps count it); or, with no channel
	 * left or a cap reached, gives the fallback up. Either way, once.
	 */
	#fallback(s: ChallengeState<Registration>, now: number): FallbackSend | null {
		const choice = fallbackChoice(s, this.#store.ledger("register"), getConfig(this.env), now);
		if (!choice) {
			this.#store.commit("register", { ...s, fallbackAt: 0, fellBack: true });
			return null;
		}
		const { channel, phone } = choice;
		const caller = { network: s.network };
		const challengeId = s.challengeId ?? crypto.randomUUID();
		const subject = s.subject as Registration;
		const request = { purpose: "register", before: s, subject, now, caller, channel, challengeId, fellBack: true };
		return { issued: this.#issue(request as CodeRequest<"register">), phone, caller };
	}

	#startRefusal(registrationId: string | undefined, network: string, now: number): Failure | null {
		const { otp } = this.#rules;
		const editing = registrationId ? this.#store.liveRegistration(registrationId, now) : undefined;
		return (
			(editing ? cooldownRefusal(editing, now, otp) : startRefusal(this.#store.registrations, network, now, otp)) ??
			sendShareRefusal(this.#store.ledger("register"), network, now, otp)
		);
	}

	#check<P extends Purpose>(purpose: P, s: ChallengeState<Subjects[P]>, code: string, network: string, now: number) {
		return checkCode(this.#store, this.#inFlight, this.#rules, purpose, s, code, network, now);
	}

	/** The slice of the configuration this object reads, parsed once per object. */
	get #rules(): PhonePolicy {
		if (!this.#policy) {
			const { otp, otpSecret, smsPolicy, channels } = getConfig(this.env);
			const fallback = { auto: channels.autoFallback, afterMs: channels.fallbackAfterMs };
			this.#policy = { otp, otpSecret, testNumbers: smsPolicy.testNumbers, fallback };
		}
		return this.#policy;
	}
}

const NO_RESET = failure("OTP_NOT_FOUND", { message: "No password reset is pending for this phone number" });
