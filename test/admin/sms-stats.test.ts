import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { summarize } from "../../src/admin/sms-stats";
import { createApp } from "../../src/app";
import { type ChannelCounts, type MessageReport, messageRepository } from "../../src/messaging/message-log";

const TOKEN = "test-admin-token-test-admin-token-0123456789";
const PATH = "/api/admin/sms-stats";
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** The request time of every stats request in this file, unless a test says otherwise. */
const T = Date.UTC(2031, 2, 10, 12, 0, 0);

interface Answer {
	status: number;
	headers: Headers;
	body: Record<string, unknown>;
}

/** GET /api/admin/sms-stats through the app, its clock at `now`. */
async function stats(
	init: { authorization?: string; now?: number; env?: Record<string, unknown> } = {},
): Promise<Answer> {
	const app = createApp({ clock: () => init.now ?? T });
	const headers: Record<string, string> = {};
	if (init.authorization !== undefined) headers.authorization = init.authorization;
	const ctx = createExecutionContext();
	const res = await app.request(PATH, { headers }, init.env ?? env, ctx);
	await waitOnExecutionContext(ctx);
	return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const bearer = (token: string) => `Bearer ${token}`;

async function expectRefused(answer: Answer) {
	expect(answer.status).toBe(401);
	expect(answer.body).toMatchObject({ success: false, code: "UNAUTHORIZED" });
	expect(answer.body).not.toHaveProperty("hour");
	expect(answer.headers.get("www-authenticate")).toBe('Bearer realm="admin"');
}

describe("GET /api/admin/sms-stats: who gets in", () => {
	it("refuses a request without an Authorization header", async () => {
		await expectRefused(await stats());
	});

	it("refuses a wrong token of the same length", async () => {
		const wrong = `${TOKEN.slice(0, -1)}8`;
		expect(wrong).toHaveLength(TOKEN.length);
		await expectRefused(await stats({ authorization: bearer(wrong) }));
	});

	it("refuses tokens of another length: a prefix of the right one, the right one extended", async () => {
		await expectRefused(await stats({ authorization: bearer(TOKEN.slice(0, -1)) }));
		await expectRefused(await stats({ authorization: bearer(`${TOKEN}0`) }));
		await expectRefused(await stats({ authorization: bearer("x") }));
	});

	it("refuses the right token under another scheme or with nothing after Bearer", async () => {
		await expectRefused(await stats({ authorization: `Basic ${TOKEN}` }));
		await expectRefused(await stats({ authorization: TOKEN }));
		await expectRefused(await stats({ authorization: "Bearer " }));
		await expectRefused(await stats({ authorization: "Bearer" }));
	});

	it("lets the right token in, without a WWW-Authenticate challenge", async () => {
		const answer = await stats({ authorization: bearer(TOKEN) });
		expect(answer.status).toBe(200);
		expect(answer.body.success).toBe(true);
		expect(answer.headers.get("www-authenticate")).toBeNull();
	});

	it("takes the scheme name in any case (RFC 9110: `bearer` is Bearer)", async () => {
		expect((await stats({ authorization: `bearer ${TOKEN}` })).status).toBe(200);
		expect((await stats({ authorization: `BEARER ${TOKEN}` })).status).toBe(200);
	});

	it("refuses everyone when no token is configured, the empty bearer included", async () => {
		const unset = { ...env, ADMIN_API_TOKEN: "" };
		await expectRefused(await stats({ env: unset }));
		await expectRefused(await stats({ env: unset, authorization: "Bearer " }));
		await expectRefused(await stats({ env: unset, authorization: "Bearer" }));
		await expectRefused(await stats({ env: unset, authorization: bearer(TOKEN) }));
		await expectRefused(await stats({ env: unset, authorization: bearer("undefined") }));

		const blank = { ...env, ADMIN_API_TOKEN: "   " };
		await expectRefused(await stats({ env: blank, authorization: bearer(TOKEN) }));

		const { ADMIN_API_TOKEN: _, ...absent } = env as unknown as Record<string, unknown>;
		await expectRefused(await stats({ env: absent, authorization: bearer(TOKEN) }));
		await expectRefused(await stats({ env: absent, authorization: bearer("undefined") }));
	});
});

// ---------------------------------------------------------------------------
// The numbers. Every row of this file's D1 is written by the beforeAll below
// (the auth tests above write none); the tests only read.
// ---------------------------------------------------------------------------

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
beforeAll(async () => {
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
});

describe("GET /api/admin/sms-stats: the numbers", () => {
	let body: Record<string, unknown>;
	beforeAll(async () => {
		const answer = await stats({ authorization: bearer(TOKEN) });
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
		const later = await stats({ authorization: bearer(TOKEN), now: T + 6 * DAY + 22 * HOUR });
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
		});
		expect((later.body.hour as { sends: number }).sends).toBe(0);
		expect((later.body.day as { sends: number }).sends).toBe(0);

		const much = await stats({ authorization: bearer(TOKEN), now: T + 60 * DAY });
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
				byCountry: {},
			});
		}
	});

	it("counts nothing sent after the request's time (a window ends at the request)", async () => {
		// Every seeded message is later than this request.
		const before = await stats({ authorization: bearer(TOKEN), now: T - 60 * DAY });
		expect(before.status).toBe(200);
		for (const window of ["hour", "day", "week"]) {
			const w = before.body[window] as { sends: number; emailFallback: { sends: number }; byCountry: object };
			expect([w.sends, w.emailFallback.sends, w.byCountry]).toEqual([0, 0, {}]);
		}
	});
});

// ---------------------------------------------------------------------------
// summarize: pure, from hand-built counts.
// ---------------------------------------------------------------------------

function row(callingCode: string, channel: "sms" | "email", n: Partial<ChannelCounts>): ChannelCounts {
	return { callingCode, channel, sends: 0, delivered: 0, failed: 0, challenges: 0, verifiedChallenges: 0, ...n };
}

const SINCE = Date.UTC(2030, 0, 1, 0, 0, 0);

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
			byCountry: {},
		});
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
