import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { bearerAuth, DAY, HOUR, MIN, stats, T, TOKEN } from "../support/sms-stats";
import { seedKnownSet } from "../support/sms-stats-seed";

/** No WhatsApp message nor call in the seeded rows. */
const NO_CHANNEL = { sends: 0, delivered: 0, failed: 0, deliveryRate: null, verificationRate: null };

// Every row of this file's D1 is the known set written by the beforeAll below
// (see its table in test/support/sms-stats-seed.ts); the tests only read.
beforeAll(seedKnownSet);

describe("GET /api/admin/sms-stats: the numbers", () => {
	let body: Record<string, unknown>;
	beforeAll(async () => {
		const answer = await stats({ authorization: bearerAuth(TOKEN) });
		expect(answer.status).toBe(200);
		body = answer.body;
	});

	it("the seeded rows are what the table holds (the seed worked as the table above says)", async () => {
		const rows = await env.DB.prepare(
			"SELECT id, status, error_code, created_at, challenge_id, verified_at IS NOT NULL AS verified FROM messages ORDER BY id",
		).all<{
			id: string;
			status: string;
			error_code: number | null;
			created_at: number;
			challenge_id: string;
			verified: number;
		}>();
		expect(
			rows.results.map((r) => [r.id, r.status, r.error_code, r.created_at - T, r.challenge_id, r.verified]),
		).toEqual([
			["A1", "delivered", null, -30 * MIN, "cA", 1],
			["A2", "undelivered", 30003, -20 * MIN, "cB", 0],
			["A3", "sent", null, -HOUR, "cJ", 0],
			["B1", "sent", null, -5 * HOUR, "cC", 1],
			["B2", "delivered", null, -61 * MIN, "cC", 1],
			["B3", "failed", 30005, -HOUR - 1, "cD", 0],
			["B4", "failed", null, -2 * HOUR, "cE", 1],
			["C1", "read", null, -DAY - 1, "cH", 1],
			["C2", "undelivered", 30003, -6 * DAY, "cI", 0],
			["C3", "queued", null, -7 * DAY, "cK", 0],
			["C4", "canceled", null, -3 * DAY, "cO", 0],
			["D1", "delivered", null, -7 * DAY - 1, "cL", 1],
			["D2", "failed", 30005, -30 * DAY, "cM", 0],
			["D3", "sent", null, -8 * DAY, "cN", 0],
			["E1", "sent", null, -110 * MIN, "cE", 1],
			["E2", "sent", null, -100 * MIN, "cF", 0],
			["E3", "failed", null, -80 * MIN, "cF", 0],
		]);
	});

	it("dates the answer and each window's start by the request's clock", () => {
		expect(body.success).toBe(true);
		expect(body.generatedAt).toBe(new Date(T).toISOString());
		expect((body.hour as { since: string }).since).toBe(new Date(T - HOUR).toISOString());
		expect((body.day as { since: string }).since).toBe(new Date(T - DAY).toISOString());
		expect((body.week as { since: string }).since).toBe(new Date(T - 7 * DAY).toISOString());
		expect(Object.keys(body).sort()).toEqual(["day", "generatedAt", "hour", "refusals", "success", "week"]);
	});

	it("the last hour: A1, A2 and A3 (on the boundary); no email", () => {
		expect(body.hour).toEqual({
			since: new Date(T - HOUR).toISOString(),
			sends: 3,
			delivered: 1,
			failed: 1,
			pending: 1,
			deliveryRate: 0.3333,
			verificationRate: 0.3333,
			failuresByErrorCode: { "30003": 1 },
			emailFallback: { sends: 0, verificationRate: null },
			whatsapp: NO_CHANNEL,
			call: NO_CHANNEL,
			byCountry: {
				"1": {
					sends: 2,
					delivered: 1,
					failed: 0,
					pending: 1,
					deliveryRate: 0.5,
					verificationRate: 0.5,
					failuresByErrorCode: {},
				},
				"44": {
					sends: 1,
					delivered: 0,
					failed: 1,
					pending: 0,
					deliveryRate: 0,
					verificationRate: 0,
					failuresByErrorCode: { "30003": 1 },
				},
			},
		});
	});

	it("the last day: the resend's challenge counts once, the email only under emailFallback", () => {
		expect(body.day).toEqual({
			since: new Date(T - DAY).toISOString(),
			// A1 A2 A3 B1 B2 B3 B4
			sends: 7,
			delivered: 2,
			failed: 3,
			pending: 2,
			deliveryRate: 0.2857,
			// cA cB cC cD cE cJ, verified cA cC cE
			verificationRate: 0.5,
			failuresByErrorCode: { "30003": 1, "30005": 1, unknown: 1 },
			// E1 E2 E3; cE verified, cF not
			emailFallback: { sends: 3, verificationRate: 0.5 },
			whatsapp: NO_CHANNEL,
			call: NO_CHANNEL,
			byCountry: {
				"1": {
					// A1 A3 B1 B2 B3; cA cC cD cJ, verified cA cC
					sends: 5,
					delivered: 2,
					failed: 1,
					pending: 2,
					deliveryRate: 0.4,
					verificationRate: 0.5,
					failuresByErrorCode: { "30005": 1 },
				},
				"44": {
					// A2 B4; cB cE, verified cE
					sends: 2,
					delivered: 0,
					failed: 2,
					pending: 0,
					deliveryRate: 0,
					verificationRate: 0.5,
					failuresByErrorCode: { "30003": 1, unknown: 1 },
				},
			},
		});
	});

	it("the last week: C3 on the boundary in, D1 a millisecond older out; canceled is a failure", () => {
		expect(body.week).toEqual({
			since: new Date(T - 7 * DAY).toISOString(),
			// the day's 7, C1 C2 C3 C4
			sends: 11,
			delivered: 3,
			failed: 5,
			pending: 3,
			deliveryRate: 0.2727,
			// the day's 6 challenges and cH cI cK cO; verified cA cC cE cH
			verificationRate: 0.4,
			failuresByErrorCode: { "30003": 2, "30005": 1, unknown: 2 },
			emailFallback: { sends: 3, verificationRate: 0.5 },
			whatsapp: NO_CHANNEL,
			call: NO_CHANNEL,
			byCountry: {
				"1": {
					// A1 A3 B1 B2 B3 C2; cA cC cD cI cJ, verified cA cC
					sends: 6,
					delivered: 2,
					failed: 2,
					pending: 2,
					deliveryRate: 0.3333,
					verificationRate: 0.4,
					failuresByErrorCode: { "30003": 1, "30005": 1 },
				},
				"44": {
					// A2 B4 C1 C3 C4; cB cE cH cK cO, verified cE cH
					sends: 5,
					delivered: 1,
					failed: 3,
					pending: 1,
					deliveryRate: 0.2,
					verificationRate: 0.4,
					failuresByErrorCode: { "30003": 1, unknown: 2 },
				},
			},
		});
	});

	it("6 days 22 hours on, only what is still within the week counts; two months on, nothing", async () => {
		// At T+6d+22h: the week starts at T−2h, so A1 A2 A3 B3 B2 B4 and the emails E1 E2 E3 remain.
		const later = await stats({ authorization: bearerAuth(TOKEN), now: T + 6 * DAY + 22 * HOUR });
		const week = later.body.week as Record<string, unknown>;
		expect(week).toMatchObject({
			sends: 6,
			delivered: 2,
			failed: 3,
			pending: 1,
			deliveryRate: 0.3333,
			// cA cB cC cD cE cJ, verified cA cC (by B2 alone) cE
			verificationRate: 0.5,
			failuresByErrorCode: { "30003": 1, "30005": 1, unknown: 1 },
			emailFallback: { sends: 3, verificationRate: 0.5 },
			whatsapp: NO_CHANNEL,
			call: NO_CHANNEL,
		});
		expect((later.body.hour as { sends: number }).sends).toBe(0);
		expect((later.body.day as { sends: number }).sends).toBe(0);

		const much = await stats({ authorization: bearerAuth(TOKEN), now: T + 60 * DAY });
		for (const window of ["hour", "day", "week"]) {
			expect(much.body[window]).toEqual({
				since: expect.any(String),
				sends: 0,
				delivered: 0,
				failed: 0,
				pending: 0,
				deliveryRate: null,
				verificationRate: null,
				failuresByErrorCode: {},
				emailFallback: { sends: 0, verificationRate: null },
				whatsapp: NO_CHANNEL,
				call: NO_CHANNEL,
				byCountry: {},
			});
		}
	});

	it("counts nothing sent after the request's time (a window ends at the request)", async () => {
		// Every seeded message is later than this request.
		const before = await stats({ authorization: bearerAuth(TOKEN), now: T - 60 * DAY });
		expect(before.status).toBe(200);
		for (const window of ["hour", "day", "week"]) {
			const w = before.body[window] as { sends: number; emailFallback: { sends: number }; byCountry: object };
			expect([w.sends, w.emailFallback.sends, w.byCountry]).toEqual([0, 0, {}]);
		}
	});
});
