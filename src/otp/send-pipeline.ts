import type { Reservation } from "../abuse/budget";
import { clearToSend, codeVerified } from "../abuse/clear-to-send";
import type { Config } from "../config/config";
import type { Failure } from "../errors/errors";
import { deliverCode } from "../messaging/deliver";
import { reportFailed, reportSent, reportVerified, type SendContext } from "../messaging/report";
import { type Delivery, deliveryOf } from "../messaging/status";
import { deliveryFailure } from "../messaging/twilio-errors";
import type { Phone as PhoneFacts } from "../phone/parse";
import type { Caller, Issued, Verified } from "./contract";
import type { PhoneChallenge } from "./phone-challenge";
import type { Channel } from "./state";

export type SendResult =
	| { ok: true; registrationId: string; expiresAt: number; channel: Channel; delivery: Delivery }
	| Failure;

/** Who hears how a send went: the phone's object (its stub from the Worker, itself from its alarm). */
export interface SendReporter {
	sent: PhoneChallenge["sent"];
	undo: PhoneChallenge["undo"];
}

/**
 * The send pipeline of a code the phone's object issued: the budgets and
 * the range guard (every phone channel: SMS, WhatsApp, call), then the
 * provider, then the report; the object hears how it went (sent, or undo).
 * Runs in the Worker, or in the object's alarm once the code is committed.
 */
export async function deliverIssued(
	env: Env,
	config: Config,
	phone: SendReporter,
	issued: Issued | Failure,
	to: PhoneFacts,
	caller: Caller,
): Promise<SendResult> {
	if (!issued.ok) return issued;
	const { purpose, id, generation, code, channel, challengeId, at } = issued;
	const ok = { ok: true as const, registrationId: id, expiresAt: issued.expiresAt, channel };
	if (code === null) return { ...ok, delivery: "queued" };
	const context: SendContext = { requestId: caller.requestId, purpose, channel, challengeId, phone: to };
	if (issued.locale) context.locale = issued.locale;
	let budget: Reservation | null = null;
	if (issued.email) context.email = issued.email;
	else {
		// A code issued for a reset reached a registered customer's phone: known-good traffic.
		const sender = { knownGood: purpose === "reset", human: caller.human, origin: caller.origin };
		const cleared = await clearToSend(env, config, to, sender);
		if ("ok" in cleared) {
			await phone.undo(purpose, id, generation, false);
			return cleared;
		}
		budget = cleared;
	}
	const outcome = await deliverCode(config, context, code);
	if (outcome.ok) {
		const status = await phone.sent(purpose, id, generation, outcome.id, outcome.status);
		await reportSent(env, context, outcome.id, status, at);
		return { ...ok, delivery: deliveryOf(status) };
	}
	// The provider answered and refused the message (an invalid number): it cost nothing, so it takes nothing.
	if (outcome.httpStatus !== undefined) await budget?.release();
	await phone.undo(purpose, id, generation, true);
	await reportFailed(env, context, outcome, at);
	return deliveryFailure(context, outcome);
}

/** A right code: the messages of its challenge count as converted, and the range's guard hears of it. */
export async function reportCodeVerified(
	env: Env,
	config: Config,
	verified: Omit<Verified<unknown>, "subject">,
	purpose: SendContext["purpose"],
	to: PhoneFacts,
	requestId?: string,
): Promise<void> {
	if (verified.channel !== "email") await codeVerified(env, config, to);
	if (!verified.challengeId || config.smsPolicy.testNumbers.has(to.e164)) return;
	const context = {
		requestId,
		purpose,
		channel: verified.channel ?? "sms",
		challengeId: verified.challengeId,
		phone: to,
	};
	await reportVerified(env, context, verified.at);
}
