import type { ChannelCounts, FailureCount } from "../messaging/message-log";
import { rate } from "./buckets";

export interface SmsStats {
	sends: number;
	delivered: number;
	failed: number;
	/** Neither delivered nor failed yet (or no callback came). */
	pending: number;
	/** delivered / sends; null without sends. */
	deliveryRate: number | null;
	/** Registrations and resets whose code was verified / those that were sent a code; null without any. */
	verificationRate: number | null;
	/** Failed SMS per Twilio error code (`unknown`: Twilio gave none). */
	failuresByErrorCode: Record<string, number>;
}

export interface WindowStats extends SmsStats {
	since: string;
	/** Codes sent by the email fallback. */
	emailFallback: { sends: number; verificationRate: number | null };
	/** Codes sent as WhatsApp messages and voice calls (the SMS figures above leave them out). */
	whatsapp: ChannelStats;
	call: ChannelStats;
	/** The same numbers per country calling code (`44`, `1`, ...). */
	byCountry: Record<string, SmsStats>;
}

export type ChannelStats = Pick<SmsStats, "sends" | "delivered" | "failed" | "deliveryRate" | "verificationRate">;

/** One window's numbers from the per-channel, per-calling-code counts of the messages table. */
export function summarize(since: number, counts: ChannelCounts[], failures: FailureCount[]): WindowStats {
	const sms = counts.filter((r) => r.channel === "sms");
	const email = counts.filter((r) => r.channel === "email");
	const byCountry: Record<string, SmsStats> = {};
	for (const code of [...new Set(sms.map((r) => r.callingCode))].sort()) {
		byCountry[code] = smsStats(
			sms.filter((r) => r.callingCode === code),
			failures.filter((f) => f.callingCode === code),
		);
	}
	const emailTotals = totals(email);
	return {
		since: new Date(since).toISOString(),
		...smsStats(sms, failures),
		emailFallback: {
			sends: emailTotals.sends,
			verificationRate: rate(emailTotals.verifiedChallenges, emailTotals.challenges),
		},
		whatsapp: channelStats(counts.filter((r) => r.channel === "whatsapp")),
		call: channelStats(counts.filter((r) => r.channel === "call")),
		byCountry,
	};
}

function channelStats(rows: ChannelCounts[]): ChannelStats {
	const t = totals(rows);
	const { sends, delivered, failed } = t;
	return {
		sends,
		delivered,
		failed,
		deliveryRate: rate(delivered, sends),
		verificationRate: rate(t.verifiedChallenges, t.challenges),
	};
}

function smsStats(rows: ChannelCounts[], failures: FailureCount[]): SmsStats {
	const t = totals(rows);
	const failuresByErrorCode: Record<string, number> = {};
	for (const f of failures) {
		const key = f.errorCode === null ? "unknown" : String(f.errorCode);
		failuresByErrorCode[key] = (failuresByErrorCode[key] ?? 0) + f.count;
	}
	return {
		sends: t.sends,
		delivered: t.delivered,
		failed: t.failed,
		pending: t.sends - t.delivered - t.failed,
		deliveryRate: rate(t.delivered, t.sends),
		verificationRate: rate(t.verifiedChallenges, t.challenges),
		failuresByErrorCode,
	};
}

// A challenge belongs to one phone, so one calling code: its counts add up across rows.
function totals(rows: ChannelCounts[]) {
	const sum = (key: keyof Omit<ChannelCounts, "channel" | "callingCode">) =>
		rows.reduce((n, r) => n + Number(r[key]), 0);
	return {
		sends: sum("sends"),
		delivered: sum("delivered"),
		failed: sum("failed"),
		challenges: sum("challenges"),
		verifiedChallenges: sum("verifiedChallenges"),
	};
}
