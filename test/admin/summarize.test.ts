import { describe, expect, it } from "vitest";
import { summarize } from "../../src/admin/sms-stats";
import type { ChannelCounts } from "../../src/messaging/message-log";

// summarize: pure, from hand-built counts.

function row(callingCode: string, channel: ChannelCounts["channel"], n: Partial<ChannelCounts>): ChannelCounts {
	return { callingCode, channel, sends: 0, delivered: 0, failed: 0, challenges: 0, verifiedChallenges: 0, ...n };
}

const SINCE = Date.UTC(2030, 0, 1, 0, 0, 0);
const NONE = { sends: 0, delivered: 0, failed: 0, deliveryRate: null, verificationRate: null };

describe("summarize", () => {
	it("without any rows: zero counts, null rates, empty maps", () => {
		expect(summarize(SINCE, [], [])).toEqual({
			since: "2030-01-01T00:00:00.000Z",
			sends: 0,
			delivered: 0,
			failed: 0,
			pending: 0,
			deliveryRate: null,
			verificationRate: null,
			failuresByErrorCode: {},
			emailFallback: { sends: 0, verificationRate: null },
			whatsapp: NONE,
			call: NONE,
			byCountry: {},
		});
	});

	it("counts WhatsApp and calls apart, out of the SMS figures", () => {
		const s = summarize(
			SINCE,
			[
				row("1", "sms", { sends: 2, delivered: 2, challenges: 2, verifiedChallenges: 2 }),
				row("1", "whatsapp", { sends: 4, delivered: 3, failed: 1, challenges: 4, verifiedChallenges: 2 }),
				row("44", "call", { sends: 1, failed: 1, challenges: 1 }),
			],
			[],
		);
		expect(s).toMatchObject({ sends: 2, delivered: 2, deliveryRate: 1 });
		expect(Object.keys(s.byCountry)).toEqual(["1"]);
		expect(s.whatsapp).toEqual({ sends: 4, delivered: 3, failed: 1, deliveryRate: 0.75, verificationRate: 0.5 });
		expect(s.call).toEqual({ sends: 1, delivered: 0, failed: 1, deliveryRate: 0, verificationRate: 0 });
	});

	it("rounds rates to 4 decimals, up and down", () => {
		const s = summarize(
			SINCE,
			[
				row("1", "sms", { sends: 3, delivered: 2, challenges: 3, verifiedChallenges: 1 }),
				row("44", "sms", { sends: 7, delivered: 1, challenges: 7, verifiedChallenges: 5 }),
				row("1", "email", { sends: 6, challenges: 3, verifiedChallenges: 2 }),
			],
			[],
		);
		expect(s.byCountry["1"]).toMatchObject({ deliveryRate: 0.6667, verificationRate: 0.3333 });
		expect(s.byCountry["44"]).toMatchObject({ deliveryRate: 0.1429, verificationRate: 0.7143 });
		// 3/10 and 6/10 overall
		expect(s).toMatchObject({ deliveryRate: 0.3, verificationRate: 0.6 });
		expect(s.emailFallback).toEqual({ sends: 6, verificationRate: 0.6667 });
	});

	it("gives a null verification rate to sends with no challenge, and a delivery rate of 0 to sends none delivered", () => {
		const s = summarize(SINCE, [row("1", "sms", { sends: 2, failed: 1 })], []);
		expect(s).toMatchObject({ sends: 2, delivered: 0, failed: 1, pending: 1, deliveryRate: 0, verificationRate: null });
		expect(s.byCountry["1"]).toMatchObject({ deliveryRate: 0, verificationRate: null });
	});

	it("gives email-only windows null SMS rates and no country", () => {
		const s = summarize(SINCE, [row("44", "email", { sends: 2, challenges: 2, verifiedChallenges: 2 })], []);
		expect(s).toMatchObject({ sends: 0, deliveryRate: null, verificationRate: null, byCountry: {} });
		expect(s.emailFallback).toEqual({ sends: 2, verificationRate: 1 });
	});

	it("adds up countries, keeps email out of them, and files failures by code per country", () => {
		const s = summarize(
			SINCE,
			[
				row("1", "sms", { sends: 4, delivered: 1, failed: 2, challenges: 3, verifiedChallenges: 1 }),
				row("44", "sms", { sends: 5, delivered: 3, failed: 2, challenges: 4, verifiedChallenges: 4 }),
				row("1", "email", { sends: 9, delivered: 9, failed: 0, challenges: 9, verifiedChallenges: 0 }),
				row("33", "email", { sends: 1, challenges: 1, verifiedChallenges: 1 }),
			],
			[
				{ callingCode: "1", errorCode: 30003, count: 1 },
				{ callingCode: "1", errorCode: null, count: 1 },
				{ callingCode: "44", errorCode: 30003, count: 1 },
				{ callingCode: "44", errorCode: 30005, count: 1 },
			],
		);
		expect(s).toMatchObject({
			sends: 9,
			delivered: 4,
			failed: 4,
			pending: 1,
			deliveryRate: 0.4444,
			verificationRate: 0.7143,
			failuresByErrorCode: { "30003": 2, "30005": 1, unknown: 1 },
			emailFallback: { sends: 10, verificationRate: 0.1 },
		});
		expect(Object.keys(s.byCountry).sort()).toEqual(["1", "44"]);
		expect(s.byCountry["1"]).toEqual({
			sends: 4,
			delivered: 1,
			failed: 2,
			pending: 1,
			deliveryRate: 0.25,
			verificationRate: 0.3333,
			failuresByErrorCode: { "30003": 1, unknown: 1 },
		});
		expect(s.byCountry["44"]).toEqual({
			sends: 5,
			delivered: 3,
			failed: 2,
			pending: 0,
			deliveryRate: 0.6,
			verificationRate: 1,
			failuresByErrorCode: { "30003": 1, "30005": 1 },
		});
	});
});
