import { DurableObject } from "cloudflare:workers";
import { type Config, getConfig } from "../config/config";
import { customerRepository } from "../customers/customers.repository";
import { deliverCode, deliveryFailure } from "../delivery/deliver";
import { reportFailed, reportSent, reportVerified, type SendContext } from "../delivery/report";
import { type Delivery, deliveryOf, statusRank } from "../delivery/status";
import { type Failure, failure } from "../http/errors";
import { log, maskPhone } from "../http/log";
import { hashPassword } from "../passwords/scrypt";
import { clearToSend, codeVerified } from "../protection/clear-to-send";
import { countryRefusal } from "../sms/country-policy";
import { generateCode, macCode, macsEqual } from "./code";
import {
	atTime,
	type ChallengeState,
	type Channel,
	consume,
	delivered,
	EMPTY,
	holdsCode,
	issue,
	nextWake,
	type Purpose,
	type Registration,
	resendRefusal,
	revertSend,
	type Subjects,
	sendRefusal,
	settle,
	verifyRefusal,
	wrongGuess,
} from "./rules";
import { ensureSchema, hasSchema, loadStates, NO_STATES, type States, saveState } from "./storage";

export type SendResult = { ok: true; expiresAt: number; channel: Channel; delivery: Delivery } | Failure;
export type VerifyResult = { ok: true; customerId: number } | Failure;

/** What otp-status shows of a pending registration: no code, no personal data. */
export interface PendingStatus {
	ok: true;
	status: "pending" | "locked";
	channel: Channel;
	delivery: Delivery;
	expiresAt: number;
	attemptsRemaining: number;
	/** When resend-otp will next be accepted (the cooldown and the caps). */
	resendAt: number;
}

/**
 * One object per normalised phone number: every decision about its codes. A
 * registration and a password reset each have their own state (code,
 * attempts, cooldown, hourly cap), so one never disturbs the other.
 *
 * Invariant: each method reads `this.#states`, decides, and commits the next
 * state synchronously, before its first non-storage await (the SMS fetch, the
 * password hash, D1). Those awaits open the input gate, so other requests for
 * the same phone may run meanwhile; they see the committed state, which is
 * what makes concurrent requests equivalent to some serial order.
 */
export class PhoneChallenge extends DurableObject<Env> {
	#states: States;
	#alarmAt: number | null = null;
	#schemaReady = false;
	/**
	 * Statuses heard for a message before its send returned its id (the
	 * callback overtook the API answer); applied when the id arrives.
	 */
	#early = new Map<string, string>();
	/** Milliseconds since the epoch; tests replace it to move time. */
	private clock: () => number = () => Date.now();

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		// SQL calls are synchronous, so the constructor finishes before any request.
		// The table is created by the first commit: a request that changes nothing
		// (a verify for a phone with nothing pending) must leave no storage behind.
		this.#schemaReady = hasSchema(ctx.storage.sql);
		this.#states = this.#schemaReady ? loadStates(ctx.storage.sql) : NO_STATES;
	}

	/**
	 * Whether a registration send would be refused now (cooldown, hourly cap).
	 * Read-only and cheap, so a refused send-otp costs no password hash; `start` decides again.
	 */
	async checkSend(phone: string): Promise<Failure | null> {
		const now = this.clock();
		const { otp, smsPolicy } = this.#config;
		return countryRefusal(phone, smsPolicy) ?? sendRefusal(atTime(this.#states.register, now), now, otp);
	}

	/** Starts (or replaces) the pending registration and texts it a new code. */
	async start(registration: Registration, requestId?: string): Promise<SendResult> {
		return this.#startCode("register", registration, requestId);
	}

	/**
	 * Sends a new code for the pending registration, by SMS or to the
	 * registration's own email; the previous code dies. Both channels share
	 * the cooldown and the caps.
	 */
	async resend(channel: Channel = "sms", requestId?: string): Promise<SendResult> {
		const now = this.clock();
		const before = atTime(this.#states.register, now);
		const subject = before.subject as Registration | null;
		const refusal =
			resendRefusal(before) ??
			(channel === "email"
				? this.#config.email.enabled
					? null
					: failure("CHANNEL_UNAVAILABLE")
				: countryRefusal((subject as Registration).phone, this.#config.smsPolicy)) ??
			sendRefusal(before, now, this.#config.otp);
		if (refusal) return refusal;
		const challengeId = before.challengeId ?? crypto.randomUUID();
		return this.#sendCode("register", before, subject as Registration, now, { challengeId, channel, requestId });
	}

	/** The pending registration as otp-status shows it; OTP_NOT_FOUND / OTP_EXPIRED otherwise. Changes nothing. */
	async pending(): Promise<PendingStatus | Failure> {
		const now = this.clock();
		const s = atTime(this.#states.register, now);
		const refusal = resendRefusal(s);
		if (refusal) return refusal;
		const { otp } = this.#config;
		const wait = sendRefusal(s, now, otp)?.retryAfter ?? 0;
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

	/**
	 * Takes a provider's status for one of this phone's messages: only the
	 * latest send of a purpose, only forward (see `delivered`).
	 */
	async delivery(messageId: string, status: string): Promise<void> {
		let known = false;
		for (const purpose of PURPOSES) {
			if (this.#states[purpose].messageId !== messageId) continue;
			known = true;
			this.#record(purpose, (s) => delivered(s, messageId, status));
		}
		// Possibly the send still waiting for Twilio's answer: keep the best status heard, a few at most.
		if (!known && this.#early.size < 16 && statusRank(status) > statusRank(this.#early.get(messageId) ?? ""))
			this.#early.set(messageId, status);
	}

	/** Checks a registration code; the right one turns the registration into a customer. */
	async verify(code: string, requestId?: string): Promise<VerifyResult> {
		const checked = this.#checkCode("register", code);
		if (!checked.ok) return checked;
		const { subject: registration, before, now } = checked;
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
		await this.#verified("register", before, registration.phone, now, requestId);
		return { ok: true, customerId };
	}

	/**
	 * Texts a password-reset code to a registered customer's phone, replacing
	 * any earlier one. For a number no customer has (`customerId` null) it
	 * holds a decoy under the same rules and texts nothing.
	 */
	async startReset(customerId: number | null, phone: string, requestId?: string): Promise<SendResult> {
		if (customerId !== null) return this.#startCode("reset", { customerId, phone }, requestId);
		const now = this.clock();
		const before = atTime(this.#states.reset, now);
		const refusal = countryRefusal(phone, this.#config.smsPolicy) ?? sendRefusal(before, now, this.#config.otp);
		if (refusal) return refusal;
		// Random bytes are the MAC of no code: every guess at a decoy is wrong.
		const mac = crypto.getRandomValues(new Uint8Array(32));
		const send = { challengeId: crypto.randomUUID(), channel: "sms" as const };
		this.#commit(
			"reset",
			issue(before, { customerId, phone }, mac, before.generation + 1, now, this.#config.otp, send),
		);
		return { ok: true, expiresAt: now + this.#config.otp.ttlMs, channel: "sms", delivery: "queued" };
	}

	/**
	 * Checks a password-reset code; the right one sets the new password and
	 * signs out every session, in one D1 batch.
	 */
	async verifyReset(code: string, newPassword: string, requestId?: string): Promise<VerifyResult> {
		const checked = this.#checkCode("reset", code);
		if (!checked.ok) return checked.code === "OTP_NOT_FOUND" ? NO_RESET : checked;
		const { subject, before, now } = checked;
		const { customerId } = subject;
		if (customerId === null) return failure("OTP_INVALID"); // unreachable: see startReset
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
		await this.#verified("reset", before, subject.phone, now, requestId);
		return { ok: true, customerId };
	}

	/** Expires codes, later purges everything. Safe to run at any time, any number of times. */
	override async alarm(): Promise<void> {
		this.#alarmAt = null;
		const now = this.clock();
		const held = PURPOSES.map((purpose) => this.#age(purpose, now)).some(Boolean);
		if (!held) {
			await this.ctx.storage.deleteAll();
			this.#states = NO_STATES;
			this.#schemaReady = false;
			return;
		}
		this.#schedule();
	}

	/** Applies the clock to one purpose's state, dropping it once spent; true while something is held. */
	#age<P extends Purpose>(purpose: P, now: number): boolean {
		const kept = settle(atTime(this.#states[purpose], now), now, this.#config.otp);
		this.#write(purpose, kept ?? EMPTY);
		return kept !== null;
	}

	async #startCode<P extends Purpose>(purpose: P, subject: Subjects[P], requestId?: string): Promise<SendResult> {
		const now = this.clock();
		const before = atTime(this.#states[purpose], now);
		const refusal = countryRefusal(subject.phone, this.#config.smsPolicy) ?? sendRefusal(before, now, this.#config.otp);
		if (refusal) return refusal;
		const send = { challengeId: crypto.randomUUID(), channel: "sms" as const, requestId };
		return this.#sendCode(purpose, before, subject, now, send);
	}

	/**
	 * Issues a new code, commits it, then sends it. The commit comes first: the
	 * send awaits the network, and requests that run meanwhile must see the
	 * new code (and its cooldown). A send that fails is reverted, unless a
	 * later send replaced it.
	 */
	async #sendCode<P extends Purpose>(
		purpose: P,
		before: ChallengeState<Subjects[P]>,
		subject: Subjects[P],
		now: number,
		send: { challengeId: string; channel: Channel; requestId?: string },
	): Promise<SendResult> {
		const { otp, otpSecret, smsPolicy } = this.#config;
		const { challengeId, channel } = send;
		// A test number has a fixed code and never costs a message.
		const testCode = channel === "sms" ? smsPolicy.testNumbers.get(subject.phone) : undefined;
		const code = testCode ?? generateCode();
		const generation = before.generation + 1;
		const mac = macCode(otpSecret, purpose, subject.phone, generation, code);
		this.#commit(purpose, issue(before, subject, mac, generation, now, otp, { challengeId, channel }));
		if (testCode) return { ok: true, expiresAt: now + otp.ttlMs, channel, delivery: "queued" };

		const context: SendContext = { ...send, purpose, phone: subject.phone };
		if (channel === "email") context.email = (subject as Registration).email;
		else {
			const cleared = await clearToSend(this.env, this.#config, subject.phone);
			if ("ok" in cleared) {
				this.#revert(purpose, before, generation, false);
				return cleared;
			}
		}
		const outcome = await deliverCode(this.#config, context, code);
		if (outcome.ok) {
			const status = this.#sent(purpose, generation, outcome.id, outcome.status);
			await reportSent(this.env, context, outcome.id, status, now);
			return { ok: true, expiresAt: now + otp.ttlMs, channel, delivery: deliveryOf(status) };
		}
		this.#revert(purpose, before, generation, true);
		await reportFailed(this.env, context, outcome, now);
		return deliveryFailure(context, outcome);
	}

	/**
	 * Records the provider's id and first status on the send of `generation`,
	 * if it is still the latest, with any status that overtook it.
	 * Returns the status now held for the message.
	 */
	#sent<P extends Purpose>(purpose: P, generation: number, messageId: string, status: string): string {
		const early = this.#early.get(messageId);
		this.#early.delete(messageId);
		if (this.#states[purpose].generation !== generation) return status;
		const next = this.#record(purpose, (s) => {
			const sent = { ...s, messageId, deliveryStatus: status };
			return early ? delivered(sent, messageId, early) : sent;
		});
		return next.deliveryStatus ?? status;
	}

	/** A right code: the messages of its challenge count as converted, and the range's guard hears of it. */
	async #verified<P extends Purpose>(
		purpose: P,
		before: ChallengeState<Subjects[P]>,
		phone: string,
		now: number,
		requestId?: string,
	) {
		if (before.channel !== "email") await codeVerified(this.env, this.#config, phone);
		if (!before.challengeId || this.#config.smsPolicy.testNumbers.has(phone)) return;
		const context = { requestId, purpose, channel: before.channel ?? "sms", challengeId: before.challengeId, phone };
		await reportVerified(this.env, context, now);
	}

	/** Undoes the send of `generation` unless a later one replaced it; `sent`: it reached the provider. */
	#revert<P extends Purpose>(purpose: P, before: ChallengeState<Subjects[P]>, generation: number, sent: boolean): void {
		const current = this.#states[purpose];
		if (current.generation === generation && holdsCode(current)) {
			this.#commit(purpose, revertSend(before, current, this.#config.otp.maxAttempts, sent));
		}
	}

	/**
	 * Checks `code` for `purpose` and commits the outcome: a counted wrong guess,
	 * or consumption. Consuming is the race gate: every later check of this code
	 * sees `consumed`, so exactly one caller gets the subject.
	 */
	#checkCode<P extends Purpose>(
		purpose: P,
		code: string,
	): { ok: true; subject: Subjects[P]; before: ChallengeState<Subjects[P]>; now: number } | Failure {
		const { otp, otpSecret } = this.#config;
		const now = this.clock();
		const s = atTime(this.#states[purpose], now);
		const refusal = verifyRefusal(s, now, otp);
		if (refusal) {
			if (s !== this.#states[purpose]) this.#commit(purpose, s);
			return refusal;
		}
		const subject = s.subject as Subjects[P];
		const mac = macCode(otpSecret, purpose, subject.phone, s.generation, code);
		if (!macsEqual(mac, s.codeMac as Uint8Array)) {
			const wrong = wrongGuess(s, now, otp);
			this.#commit(purpose, wrong.state);
			return wrong.failure;
		}
		this.#commit(purpose, consume(s));
		return { ok: true, subject, before: s, now };
	}

	/** D1 failed, not the customer: give the code back so the same one can be retried. */
	#giveBack<P extends Purpose>(purpose: P, before: ChallengeState<Subjects[P]>, event: string, err: unknown): Failure {
		const current = this.#states[purpose];
		if (current.status === "consumed" && current.generation === before.generation) this.#commit(purpose, before);
		log("error", event, { phone: maskPhone((before.subject as Subjects[P]).phone), error: rootMessage(err) });
		return failure("SERVICE_UNAVAILABLE");
	}

	/** Commits `change` applied to one purpose's state, if it changes anything; returns the state held after. */
	#record<P extends Purpose>(
		purpose: P,
		change: (s: ChallengeState<Subjects[P]>) => ChallengeState<Subjects[P]>,
	): ChallengeState<Subjects[P]> {
		const current = this.#states[purpose] as ChallengeState<Subjects[P]>;
		const next = change(current);
		if (next !== current) this.#commit(purpose, next);
		return next;
	}

	/** Writes one purpose's state and moves the alarm if its time changed. No awaits. */
	#commit<P extends Purpose>(purpose: P, next: ChallengeState<Subjects[P]>): void {
		this.#write(purpose, next);
		this.#schedule();
	}

	#write<P extends Purpose>(purpose: P, next: ChallengeState<Subjects[P]>): void {
		const prev = this.#states[purpose];
		// The alarm recommits unchanged states just to reschedule: nothing to write then.
		if (next === prev) return;
		const { sql } = this.ctx.storage;
		if (!this.#schemaReady) {
			ensureSchema(sql);
			this.#schemaReady = true;
		}
		saveState(sql, purpose, next, prev);
		this.#states = { ...this.#states, [purpose]: next };
	}

	/** The alarm runs at the earliest wake of any purpose that holds something; 0 = purge now. */
	#schedule(): void {
		const wakes = PURPOSES.map((p) => nextWake(this.#states[p], this.#config.otp)).filter((w) => w > 0);
		const wake = wakes.length ? Math.min(...wakes) : 0;
		if (wake === 0) {
			// Nothing is held any more (a first send that never left): leave no storage behind.
			if (this.#schemaReady) void this.ctx.storage.deleteAll();
			if (this.#alarmAt !== 0) void this.ctx.storage.deleteAlarm();
			this.#schemaReady = false;
			this.#states = NO_STATES;
			this.#alarmAt = 0;
			return;
		}
		if (wake !== this.#alarmAt) {
			this.#alarmAt = wake;
			// Storage writes need no await: the output gate holds replies until they are durable.
			void this.ctx.storage.setAlarm(wake);
		}
	}

	get #config(): Config {
		return getConfig(this.env);
	}
}

const PURPOSES: readonly Purpose[] = ["register", "reset"];
const NO_RESET = failure("OTP_NOT_FOUND", { message: "No password reset is pending for this phone number" });

/** The driver's own message, without the query parameters Drizzle adds (they hold personal data). */
function rootMessage(err: unknown): string {
	const root = err instanceof Error && err.cause instanceof Error ? err.cause : err;
	return root instanceof Error ? root.message : String(root);
}
