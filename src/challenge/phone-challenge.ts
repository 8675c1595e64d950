import { DurableObject } from "cloudflare:workers";
import { type Config, getConfig } from "../config/config";
import { customerRepository } from "../customers/customers.repository";
import { type Failure, failure } from "../http/errors";
import { log, maskPhone } from "../http/log";
import { createSender, otpMessage, type SmsSender } from "../sms/sender";
import { generateCode, macCode, macsEqual } from "./code";
import {
	atTime,
	type ChallengeState,
	consume,
	EMPTY,
	issue,
	nextWake,
	type Registration,
	resendRefusal,
	revertSend,
	sendRefusal,
	verifyRefusal,
	wrongGuess,
} from "./rules";
import { ensureSchema, hasSchema, loadState, saveState } from "./storage";

export type SendResult = { ok: true; expiresAt: number } | Failure;
export type VerifyResult = { ok: true; customerId: number } | Failure;

/**
 * One object per normalised phone number: the pending registration and every
 * decision about its code.
 *
 * Invariant: each method reads `this.#state`, decides, and commits the next
 * state synchronously, before its first non-storage await (the SMS fetch, the
 * D1 insert). Those awaits open the input gate, so other requests for the same
 * phone may run meanwhile; they see the committed state, which is what makes
 * concurrent requests equivalent to some serial order.
 */
export class PhoneChallenge extends DurableObject<Env> {
	#state: ChallengeState;
	#alarmAt: number | null = null;
	#schemaReady = false;
	#smsSender: SmsSender | undefined;
	/** Milliseconds since the epoch; tests replace it to move time. */
	private clock: () => number = () => Date.now();

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		// SQL calls are synchronous, so the constructor finishes before any request.
		// The table is created by the first commit: a request that changes nothing
		// (a verify for a phone with nothing pending) must leave no storage behind.
		this.#schemaReady = hasSchema(ctx.storage.sql);
		this.#state = this.#schemaReady ? loadState(ctx.storage.sql) : EMPTY;
	}

	/**
	 * Whether a send would be refused now (cooldown, hourly cap). Read-only and
	 * cheap, so a refused send-otp costs no password hash; `start` decides again.
	 */
	async checkSend(): Promise<Failure | null> {
		const now = this.clock();
		return sendRefusal(atTime(this.#state, now), now, this.#config.otp);
	}

	/** Starts (or replaces) the pending registration and texts it a new code. */
	async start(registration: Registration): Promise<SendResult> {
		const now = this.clock();
		const before = atTime(this.#state, now);
		const refusal = sendRefusal(before, now, this.#config.otp);
		if (refusal) return refusal;
		return this.#sendCode(before, registration, now);
	}

	/** Texts a new code for the pending registration; the previous code dies. */
	async resend(): Promise<SendResult> {
		const now = this.clock();
		const before = atTime(this.#state, now);
		const refusal = resendRefusal(before) ?? sendRefusal(before, now, this.#config.otp);
		if (refusal) return refusal;
		return this.#sendCode(before, before.registration as Registration, now);
	}

	/** Checks a code; the right one turns the registration into a customer. */
	async verify(code: string): Promise<VerifyResult> {
		const { otp, otpSecret } = this.#config;
		const now = this.clock();
		const s = atTime(this.#state, now);
		const refusal = verifyRefusal(s);
		if (refusal) {
			if (s !== this.#state) this.#commit(s);
			return refusal;
		}
		const registration = s.registration as Registration;
		const mac = macCode(otpSecret, registration.phone, s.generation, code);
		if (!macsEqual(mac, s.codeMac as Uint8Array)) {
			const wrong = wrongGuess(s, otp);
			this.#commit(wrong.state);
			return wrong.failure;
		}
		// Consuming is the race gate: every later verify of this code sees `consumed`.
		this.#commit(consume(s));
		const customers = customerRepository(this.env.DB);
		try {
			const at = new Date(now);
			const id = await customers.insert({ ...registration, phoneVerifiedAt: at, createdAt: at });
			if (id !== null) return { ok: true, customerId: id };
			const field = (await customers.findTaken(registration.email, registration.phone)) ?? undefined;
			return failure("CUSTOMER_EXISTS", { field });
		} catch (err) {
			// D1 failed, not the customer: give the registration back so the same code can be retried.
			if (this.#state.status === "consumed" && this.#state.generation === s.generation) this.#commit(s);
			log("error", "customer_insert_failed", { phone: maskPhone(registration.phone), error: rootMessage(err) });
			return failure("SERVICE_UNAVAILABLE");
		}
	}

	/** Expires the code, later purges everything. Safe to run at any time, any number of times. */
	override async alarm(): Promise<void> {
		this.#alarmAt = null;
		const now = this.clock();
		const s = atTime(this.#state, now);
		const wake = nextWake(s, this.#config.otp);
		if (s.status !== "pending" && s.status !== "burned" && now >= wake) {
			await this.ctx.storage.deleteAll();
			this.#state = EMPTY;
			this.#schemaReady = false;
			return;
		}
		this.#commit(s);
	}

	async #sendCode(before: ChallengeState, registration: Registration, now: number): Promise<SendResult> {
		const { otp, otpSecret, appName } = this.#config;
		const code = generateCode();
		const generation = before.generation + 1;
		const mac = macCode(otpSecret, registration.phone, generation, code);
		this.#commit(issue(before, registration, mac, generation, now, otp));

		const outcome = await this.#sender.send(registration.phone, otpMessage(appName, code, otp.ttlMs));
		if (outcome.ok) return { ok: true, expiresAt: now + otp.ttlMs };

		log("warn", "sms_failed", {
			phone: maskPhone(registration.phone),
			reason: outcome.reason,
			twilioCode: outcome.providerCode,
			httpStatus: outcome.httpStatus,
		});
		const current = this.#state;
		if (current.generation === generation && (current.status === "pending" || current.status === "burned")) {
			this.#commit(revertSend(before, current, otp.maxAttempts));
		}
		return outcome.reason === "invalid_number"
			? failure("VALIDATION_ERROR", { field: "phone", message: "phone: this number cannot receive SMS" })
			: failure("SMS_DELIVERY_FAILED");
	}

	/** Writes the whole state and moves the alarm if its time changed. No awaits. */
	#commit(next: ChallengeState): void {
		const { sql } = this.ctx.storage;
		if (!this.#schemaReady) {
			ensureSchema(sql);
			this.#schemaReady = true;
		}
		// The alarm recommits an unchanged state just to reschedule itself: nothing to write then.
		if (next !== this.#state) saveState(sql, next, this.#state);
		this.#state = next;
		const wake = nextWake(next, this.#config.otp);
		if (wake !== this.#alarmAt) {
			this.#alarmAt = wake;
			// Storage writes need no await: the output gate holds replies until they are durable.
			void this.ctx.storage.setAlarm(wake);
		}
	}

	get #config(): Config {
		return getConfig(this.env);
	}

	get #sender(): SmsSender {
		this.#smsSender ??= createSender(this.#config);
		return this.#smsSender;
	}
}

/** The driver's own message, without the query parameters Drizzle adds (they hold personal data). */
function rootMessage(err: unknown): string {
	const root = err instanceof Error && err.cause instanceof Error ? err.cause : err;
	return root instanceof Error ? root.message : String(root);
}
