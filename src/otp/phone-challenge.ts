import { DurableObject } from "cloudflare:workers";
import { countryRefusal } from "../abuse/country-policy";
import { hashPassword } from "../auth/passwords";
import { type Config, getConfig } from "../config/config";
import { customerRepository } from "../customers/repository";
import { type Failure, failure } from "../errors/errors";
import { type Delivery, deliveryOf } from "../messaging/status";
import { errorMessage, log, maskPhone } from "../platform/log";
import { macCode, macsEqual, newRegistrationId } from "./code";
import { PhoneStore } from "./phone-store";
import { isFailure, resolve, startRefusal } from "./registrations";
import {
	type ChallengeState,
	type Channel,
	consume,
	cooldownRefusal,
	delivered,
	EMPTY,
	issue,
	type Purpose,
	type Registration,
	resendRefusal,
	type Subjects,
	verifyRefusal,
	wrongGuess,
} from "./rules";
import { CodeSender, randomMac } from "./send-pipeline";
import { guessShareRefusal, mark, sendShareRefusal } from "./shares";

export type SendResult =
	| { ok: true; registrationId: string; expiresAt: number; channel: Channel; delivery: Delivery }
	| Failure;
/** `counted`: a wrong code was counted (the caller keeps what it took from the network's daily share). */
export type VerifyResult = ({ ok: true; customerId: number } | Failure) & { counted?: boolean };

/** Who is asking: the client network every share is keyed to, and the request for the logs. */
export interface Caller {
	network: string;
	requestId?: string;
}

/** What otp-status shows of a pending registration: no code, no personal data. */
export interface PendingStatus {
	ok: true;
	status: "pending" | "locked";
	channel: Channel;
	delivery: Delivery;
	expiresAt: number;
	attemptsRemaining: number;
	/** When resend-otp will next be accepted from the caller's network (the cooldown and the shares). */
	resendAt: number;
}

/**
 * One object per normalised phone number: every decision about its codes.
 * Each registration (by its id) and the password reset have their own code,
 * attempts, expiry and cooldown; each client network has its own share of
 * sends and wrong codes per flow, under the phone's ceilings (shares.ts).
 *
 * Invariant: each method reads the state, decides, and commits the next
 * state synchronously, before its first non-storage await (the SMS fetch, the
 * password hash, D1). Those awaits open the input gate, so other requests for
 * the same phone may run meanwhile; they see the committed state, which is
 * what makes concurrent requests equivalent to some serial order.
 */
export class PhoneChallenge extends DurableObject<Env> {
	#store: PhoneStore;
	#sender: CodeSender;
	/** Milliseconds since the epoch; tests replace it to move time. */
	private clock: () => number = () => Date.now();

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		// SQL calls are synchronous, so the constructor finishes before any request.
		this.#store = new PhoneStore(ctx.storage, () => getConfig(this.env).otp);
		this.#sender = new CodeSender(env, this.#store, () => getConfig(this.env));
	}

	/**
	 * Whether a registration send would be refused now (country, cooldown, shares, pending caps).
	 * Read-only and cheap, so a refused send-otp costs no password hash; `start` decides again.
	 */
	async checkSend(phone: string, registrationId: string | undefined, network: string): Promise<Failure | null> {
		const now = this.clock();
		const refusal = countryRefusal(phone, this.#config.smsPolicy);
		if (refusal) return refusal;
		return this.#startRefusal(registrationId, network, now);
	}

	/**
	 * Starts a registration and texts it a new code. With the id of a live
	 * registration, replaces that one's details (its starter editing them);
	 * otherwise starts a separate one: a live registration is never touched.
	 */
	async start(registration: Registration, registrationId: string | undefined, caller: Caller): Promise<SendResult> {
		const now = this.clock();
		const refusal =
			countryRefusal(registration.phone, this.#config.smsPolicy) ??
			this.#startRefusal(registrationId, caller.network, now);
		if (refusal) return refusal;
		const editing = registrationId ? this.#store.liveRegistration(registrationId, now) : undefined;
		const before = editing ?? { ...EMPTY, id: newRegistrationId(), network: caller.network };
		const send = { ...caller, challengeId: crypto.randomUUID(), channel: "sms" as const };
		return this.#sender.send("register", before, registration, now, send);
	}

	/**
	 * Sends a new code for a pending registration, by SMS or to its own
	 * email; the previous code dies. Both channels share the cooldown and the shares.
	 */
	async resend(channel: Channel, registrationId: string | undefined, caller: Caller): Promise<SendResult> {
		const now = this.clock();
		const target = resolve(this.#store.registrations, registrationId, now);
		if (isFailure(target)) return target;
		const refusal =
			resendRefusal(target) ??
			(channel === "email"
				? this.#config.email.enabled
					? null
					: failure("CHANNEL_UNAVAILABLE")
				: countryRefusal((target.subject as Registration).phone, this.#config.smsPolicy)) ??
			cooldownRefusal(target, now, this.#config.otp) ??
			sendShareRefusal(this.#store.ledger("register"), caller.network, now, this.#config.otp);
		if (refusal) return refusal;
		const send = { ...caller, challengeId: target.challengeId ?? crypto.randomUUID(), channel };
		return this.#sender.send("register", target, target.subject as Registration, now, send);
	}

	/** A registration as otp-status shows it; OTP_NOT_FOUND / OTP_EXPIRED otherwise. Changes nothing. */
	async pending(registrationId: string, network: string): Promise<PendingStatus | Failure> {
		const now = this.clock();
		const s = resolve(this.#store.registrations, registrationId, now);
		if (isFailure(s)) return s;
		const refusal = resendRefusal(s);
		if (refusal) return refusal;
		const { otp } = this.#config;
		const wait =
			(cooldownRefusal(s, now, otp) ?? sendShareRefusal(this.#store.ledger("register"), network, now, otp))
				?.retryAfter ?? 0;
		return {
			ok: true,
			status: s.status === "pending" ? "pending" : "locked",
			channel: s.channel ?? "sms",
			delivery: s.deliveryStatus ? deliveryOf(s.deliveryStatus) : "queued",
			expiresAt: s.expiresAt,
			attemptsRemaining: s.status === "pending" ? Math.max(0, otp.maxAttempts - s.attempts) : 0,
			resendAt: now + wait * 1000,
		};
	}

	/** Takes a provider's status for one of this phone's messages: only the latest send of a code, only forward. */
	async delivery(messageId: string, status: string): Promise<void> {
		const held = this.#store.withMessage(messageId);
		for (const [purpose, s] of held) this.#store.commit(purpose, delivered(s, messageId, status));
		if (!held.length) this.#sender.heardEarly(messageId, status);
	}

	/** Checks a registration code; the right one turns the registration into a customer. */
	async verify(code: string, registrationId: string | undefined, caller: Caller): Promise<VerifyResult> {
		const now = this.clock();
		const target = resolve(this.#store.registrations, registrationId, now);
		if (isFailure(target)) return target;
		const checked = this.#checkCode("register", target, code, caller.network, now);
		if (!checked.ok) return checked;
		const { subject: registration, before } = checked;
		const customers = customerRepository(this.env.DB);
		let customerId: number;
		try {
			const at = new Date(now);
			const byEmail = before.channel === "email";
			const id = await customers.insert({
				...registration,
				phoneVerifiedAt: byEmail ? null : at,
				emailVerifiedAt: byEmail ? at : null,
				createdAt: at,
			});
			if (id === null) {
				const field = (await customers.findTaken(registration.email, registration.phone)) ?? undefined;
				return failure("CUSTOMER_EXISTS", { field });
			}
			customerId = id;
		} catch (err) {
			return this.#giveBack("register", before, "customer_insert_failed", err);
		}
		await this.#sender.verified("register", before, registration.phone, now, caller.requestId);
		return { ok: true, customerId };
	}

	/**
	 * Texts a password-reset code to a registered customer's phone, replacing
	 * any earlier one. For a number no customer has (`customerId` null), and
	 * for a real reset whose SMS is refused or fails, it holds a decoy under
	 * the same rules (a random MAC: every guess is wrong), so neither endpoint
	 * tells whether a number is registered. Failures are for the operator's log only.
	 */
	async startReset(customerId: number | null, phone: string, caller: Caller): Promise<SendResult> {
		const now = this.clock();
		const before = this.#store.reset(now, caller.network);
		const refusal =
			countryRefusal(phone, this.#config.smsPolicy) ??
			cooldownRefusal(before, now, this.#config.otp) ??
			sendShareRefusal(this.#store.ledger("reset"), caller.network, now, this.#config.otp);
		if (refusal) return refusal;
		const send = { ...caller, challengeId: crypto.randomUUID(), channel: "sms" as const };
		if (customerId !== null) return this.#sender.send("reset", before, { customerId, phone }, now, send);
		const decoy = issue(before, { customerId, phone }, randomMac(), before.generation + 1, now, this.#config.otp, send);
		this.#store.commit("reset", decoy, mark(this.#store.ledger("reset"), now, caller.network, "send"));
		return { ok: true, registrationId: "reset", expiresAt: decoy.expiresAt, channel: "sms", delivery: "queued" };
	}

	/** Checks a password-reset code; the right one sets the new password and signs out every session, in one D1 batch. */
	async verifyReset(code: string, newPassword: string, caller: Caller): Promise<VerifyResult> {
		const now = this.clock();
		const checked = this.#checkCode("reset", this.#store.reset(now, caller.network), code, caller.network, now);
		if (!checked.ok) return checked.code === "OTP_NOT_FOUND" ? NO_RESET : checked;
		const { subject, before } = checked;
		const { customerId } = subject;
		if (customerId === null) return failure("OTP_INVALID"); // unreachable: a decoy's MAC matches no code
		try {
			const passwordHash = await hashPassword(newPassword, this.#config.scrypt);
			const changed = await customerRepository(this.env.DB).resetPassword(
				customerId,
				subject.phone,
				passwordHash,
				new Date(now),
			);
			// The account was deleted after the code was sent: nothing is left to reset.
			if (!changed) return NO_RESET;
		} catch (err) {
			return this.#giveBack("reset", before, "password_reset_failed", err);
		}
		await this.#sender.verified("reset", before, subject.phone, now, caller.requestId);
		return { ok: true, customerId };
	}

	/** Expires codes, later purges everything. Safe to run at any time, any number of times. */
	override async alarm(): Promise<void> {
		await this.#store.age(this.clock());
	}

	#startRefusal(registrationId: string | undefined, network: string, now: number): Failure | null {
		const { otp } = this.#config;
		const editing = registrationId ? this.#store.liveRegistration(registrationId, now) : undefined;
		return (
			(editing ? cooldownRefusal(editing, now, otp) : startRefusal(this.#store.registrations, network, now, otp)) ??
			sendShareRefusal(this.#store.ledger("register"), network, now, otp)
		);
	}

	/**
	 * Checks `code` against `s` (already at `now`) and commits the outcome: a
	 * counted wrong guess, or consumption. Consuming is the race gate: every
	 * later check of this code sees `consumed`, so exactly one caller gets the subject.
	 */
	#checkCode<P extends Purpose>(
		purpose: P,
		s: ChallengeState<Subjects[P]>,
		code: string,
		network: string,
		now: number,
	): { ok: true; subject: Subjects[P]; before: ChallengeState<Subjects[P]> } | (Failure & { counted?: boolean }) {
		const { otp, otpSecret } = this.#config;
		const refusal =
			(s.status === "pending" ? guessShareRefusal(this.#store.ledger(purpose), network, now, otp) : null) ??
			verifyRefusal(s);
		if (refusal) {
			if (s.id && s !== this.#store.get(purpose, s.id)) this.#store.commit(purpose, s);
			return refusal;
		}
		const subject = s.subject as Subjects[P];
		const mac = macCode(otpSecret, purpose, subject.phone, s.id, s.generation, code);
		if (!macsEqual(mac, s.codeMac as Uint8Array)) {
			const wrong = wrongGuess(s, otp);
			this.#store.commit(purpose, wrong.state, mark(this.#store.ledger(purpose), now, network, "fail"));
			return { ...wrong.failure, counted: true };
		}
		this.#store.commit(purpose, consume(s));
		return { ok: true, subject, before: s };
	}

	/** D1 failed, not the customer: give the code back so the same one can be retried. */
	#giveBack<P extends Purpose>(purpose: P, before: ChallengeState<Subjects[P]>, event: string, err: unknown): Failure {
		const current = this.#store.get(purpose, before.id);
		if (current?.status === "consumed" && current.generation === before.generation) this.#store.commit(purpose, before);
		log("error", event, { phone: maskPhone((before.subject as Subjects[P]).phone), error: errorMessage(err) });
		return failure("SERVICE_UNAVAILABLE");
	}

	get #config(): Config {
		return getConfig(this.env);
	}
}

const NO_RESET = failure("OTP_NOT_FOUND", { message: "No password reset is pending for this phone number" });
