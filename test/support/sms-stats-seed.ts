import { env } from "cloudflare:workers";
import { type MessageReport, messageRepository } from "../../src/messaging/message-log";
import { DAY, HOUR, MIN, T } from "./sms-stats";

/** The known set of messages the admin stats tests count (see the table below). */

const repo = () => messageRepository(env.DB);

/** A send as the challenge object records it: with its purpose and challenge. */
function sent(
	id: string,
	o: {
		at: number;
		challenge: string;
		cc: string;
		status?: string;
		channel?: "sms" | "email";
		errorCode?: number | null;
	},
): Promise<void> {
	const channel = o.channel ?? "sms";
	const report: MessageReport = {
		id,
		channel,
		purpose: "register",
		challengeId: o.challenge,
		destination: channel === "sms" ? `+${o.cc}***0000` : "a***@example.com",
		callingCode: o.cc,
		status: o.status ?? (channel === "sms" ? "queued" : "sent"),
		errorCode: o.errorCode,
		at: o.at,
	};
	return repo().record(report);
}

/** A Twilio status callback as the webhook records it: no purpose, no challenge. */
function callback(id: string, cc: string, status: string, at: number, errorCode?: number): Promise<void> {
	return repo().record({ id, channel: "sms", destination: `+${cc}***0000`, callingCode: cc, status, errorCode, at });
}

/**
 * The known set. Challenges verified: cA, cC (two SMS: a resend), cE (its SMS
 * failed, its email fallback got through), cH, cL (too old to count).
 *
 * | message | channel | cc | challenge | created        | ends as      | error | window |
 * | A1      | sms     | 1  | cA ✓      | T−30m          | delivered    |       | hour   |
 * | A2      | sms     | 44 | cB        | T−20m          | undelivered  | 30003 | hour   |
 * | A3      | sms     | 1  | cJ        | T−1h exactly   | sent         |       | hour   |
 * | B3      | sms     | 1  | cD        | T−1h−1ms       | failed       | 30005 | day    |
 * | B2      | sms     | 1  | cC ✓      | T−61m (send)   | delivered    |       | day    |
 * | B4      | sms     | 44 | cE ✓      | T−2h           | failed       | none  | day    |
 * | B1      | sms     | 1  | cC ✓      | T−5h           | sent         |       | day    |
 * | E1      | email   | 44 | cE ✓      | T−110m         | sent         |       | day    |
 * | E2      | email   | 1  | cF        | T−100m         | sent         |       | day    |
 * | E3      | email   | 1  | cF        | T−80m          | failed       | none  | day    |
 * | C1      | sms     | 44 | cH ✓      | T−24h−1ms      | read         |       | week   |
 * | C4      | sms     | 44 | cO        | T−3d           | canceled     | none  | week   |
 * | C2      | sms     | 1  | cI        | T−6d           | undelivered  | 30003 | week   |
 * | C3      | sms     | 44 | cK        | T−7d exactly   | queued       |       | week   |
 * | D1      | sms     | 1  | cL ✓      | T−7d−1ms       | delivered    |       | none   |
 * | D2      | sms     | 44 | cM        | T−30d          | failed       | 30005 | none   |
 * | D3      | email   | 1  | cN        | T−8d           | sent         |       | none   |
 */
export async function seedKnownSet(): Promise<void> {
	// A1: in order, then a duplicate "delivered" and a late "sent" (which must not undo it).
	await sent("A1", { at: T - 30 * MIN, challenge: "cA", cc: "1" });
	await callback("A1", "1", "sent", T - 29 * MIN);
	await callback("A1", "1", "delivered", T - 28 * MIN);
	await callback("A1", "1", "delivered", T - 27 * MIN);
	await callback("A1", "1", "sent", T - 26 * MIN);

	// A2: undelivered with 30003, reported twice.
	await sent("A2", { at: T - 20 * MIN, challenge: "cB", cc: "44" });
	await callback("A2", "44", "undelivered", T - 19 * MIN, 30003);
	await callback("A2", "44", "undelivered", T - 18 * MIN, 30003);

	// A3: on the hour's boundary; never heard of again.
	await sent("A3", { at: T - HOUR, challenge: "cJ", cc: "1", status: "sent" });

	// B3: a millisecond too old for the hour.
	await sent("B3", { at: T - HOUR - 1, challenge: "cD", cc: "1" });
	await callback("B3", "1", "failed", T - 50 * MIN, 30005);
	// A repeat of the outcome without its error code: the code stays.
	await callback("B3", "1", "failed", T - 49 * MIN);

	// B1 then B2: one challenge, two SMS (a resend). B2's callbacks overtake its send:
	// "delivered" lands first, inside the hour; the send (T−61m) then dates the message
	// out of the hour; the late "sent" changes nothing.
	await sent("B1", { at: T - 5 * HOUR, challenge: "cC", cc: "1", status: "sent" });
	await callback("B2", "1", "delivered", T - 50 * MIN);
	await sent("B2", { at: T - 61 * MIN, challenge: "cC", cc: "1" });
	await callback("B2", "1", "sent", T - 55 * MIN);

	// B4: failed without an error code; the email fallback E1 of the same challenge got through.
	await sent("B4", { at: T - 2 * HOUR, challenge: "cE", cc: "44" });
	await callback("B4", "44", "failed", T - 2 * HOUR + MIN);
	await sent("E1", { at: T - 110 * MIN, challenge: "cE", cc: "44", channel: "email" });

	// E2, E3: two emails of one challenge, the second refused: not an SMS failure.
	await sent("E2", { at: T - 100 * MIN, challenge: "cF", cc: "1", channel: "email" });
	await sent("E3", { at: T - 80 * MIN, challenge: "cF", cc: "1", channel: "email", status: "failed" });

	// C1: delivered, then read; a millisecond too old for the day.
	await sent("C1", { at: T - DAY - 1, challenge: "cH", cc: "44" });
	await callback("C1", "44", "delivered", T - DAY + MIN);
	await callback("C1", "44", "read", T - DAY + 2 * MIN);

	// C4: canceled (by us, before it left), no error code.
	await sent("C4", { at: T - 3 * DAY, challenge: "cO", cc: "44" });
	await callback("C4", "44", "canceled", T - 3 * DAY + MIN);

	await sent("C2", { at: T - 6 * DAY, challenge: "cI", cc: "1" });
	await callback("C2", "1", "undelivered", T - 6 * DAY + MIN, 30003);

	// C3: on the week's boundary.
	await sent("C3", { at: T - 7 * DAY, challenge: "cK", cc: "44" });

	// Too old for any window.
	await sent("D1", { at: T - 7 * DAY - 1, challenge: "cL", cc: "1" });
	await callback("D1", "1", "delivered", T - 7 * DAY + MIN);
	await sent("D2", { at: T - 30 * DAY, challenge: "cM", cc: "44", status: "failed", errorCode: 30005 });
	await sent("D3", { at: T - 8 * DAY, challenge: "cN", cc: "1", channel: "email" });

	for (const challenge of ["cA", "cC", "cE", "cH", "cL"]) await repo().markVerified(challenge, T - 10 * MIN);
	// Verifying twice changes nothing.
	await repo().markVerified("cA", T - 5 * MIN);
}
