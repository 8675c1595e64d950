import { env } from "cloudflare:workers";
import { protectionStore } from "../../src/abuse/protection-store";
import { messageRepository } from "../../src/messaging/message-log";
import { HOUR, MIN, T } from "./sms-stats";

/** The console's requests are made at NOW: half an hour into the hour of T (a Monday, 12:00 UTC). */
export const NOW = T + 30 * MIN;

const repo = () => messageRepository(env.DB);

function sent(id: string, o: { at: number; challenge: string; cc: string; range?: string; channel?: "sms" | "email" }) {
	return repo().record({
		id,
		channel: o.channel ?? "sms",
		purpose: "register",
		challengeId: o.challenge,
		destination: `+${o.cc}***0000`,
		callingCode: o.cc,
		range: o.range,
		status: "queued",
		at: o.at,
	});
}

function callback(id: string, cc: string, status: string, at: number, errorCode?: number) {
	return repo().record({ id, channel: "sms", destination: `+${cc}***0000`, callingCode: cc, status, errorCode, at });
}

/**
 * | msg | cc | range  | challenge | sent        | ends as     | verified   |
 * | S1  | 1  | +1415  | k1        | T+5m        | delivered   | T+10m      |
 * | S2  | 1  | +1415  | k2        | T−30m       | undelivered 30003 |      |
 * | S3  | 1  | +1876  | k3        | T−30m+1ms   | queued      | T+2m       |
 * | S3b | 1  | +1876  | k3        | T+1m        | queued      | T+2m       |
 * | S4  | 44 | +44740 | k4        | T−3h        | delivered   | T−3h+5m    |
 * | S5  | 1  | +1212  | k5        | T−23h       | queued      |            |
 * | S6  | 1  | (none) | k6        | T−23h−1ms   | queued      |            |
 * | E1  | email, cc 1, k7, T+3m (not SMS)                                  |
 * | X1  | a callback only, T+4m (no purpose: not a send of this service)   |
 * Refusals: 3 at T's hour, 2 at T−2h's, and 5 observed at T's (not refusals).
 */
export async function seedCharts(): Promise<void> {
	await sent("S1", { at: T + 5 * MIN, challenge: "k1", cc: "1", range: "+1415" });
	await callback("S1", "1", "delivered", T + 6 * MIN);
	await sent("S2", { at: T - 30 * MIN, challenge: "k2", cc: "1", range: "+1415" });
	await callback("S2", "1", "undelivered", T - 29 * MIN, 30003);
	await sent("S3", { at: T - 30 * MIN + 1, challenge: "k3", cc: "1", range: "+1876" });
	await sent("S3b", { at: T + MIN, challenge: "k3", cc: "1", range: "+1876" });
	await sent("S4", { at: T - 3 * HOUR, challenge: "k4", cc: "44", range: "+44740" });
	await callback("S4", "44", "delivered", T - 3 * HOUR + MIN);
	await sent("S5", { at: T - 23 * HOUR, challenge: "k5", cc: "1", range: "+1212" });
	await sent("S6", { at: T - 23 * HOUR - 1, challenge: "k6", cc: "1" });
	await sent("E1", { at: T + 3 * MIN, challenge: "k7", cc: "1", range: "+1415", channel: "email" });
	await callback("X1", "1", "delivered", T + 4 * MIN);
	await repo().markVerified("k1", T + 10 * MIN);
	await repo().markVerified("k3", T + 2 * MIN);
	await repo().markVerified("k4", T - 3 * HOUR + 5 * MIN);
	await repo().markVerified("k7", T + 4 * MIN);
	const refusal = { reason: "range_throttled", callingCode: "1" };
	await protectionStore(env.DB).addRefusals([
		{ ...refusal, observed: false, hour: T, count: 3 },
		{ ...refusal, observed: true, hour: T, count: 5 },
		{ ...refusal, observed: false, hour: T - 2 * HOUR, count: 2 },
	]);
}
