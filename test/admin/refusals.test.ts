import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { protectionStore } from "../../src/abuse/protection-store";
import { phoneOf } from "../../src/phone/parse";
import { adminCall, refusalStats } from "../support/admin";
import { DUMMY_TOKEN, TEST_SECRETS } from "../support/fake-turnstile";
import { captureLogs } from "../support/log-capture";
import { nanpNumbers, SHIPPED_ROOM, strangers } from "../support/ranges";
import { clientOn } from "../support/registration";

const nanp = nanpNumbers(7000);

const SHIPPED = SHIPPED_ROOM;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const stranger = strangers();

const rowCount = async () =>
	(await env.DB.prepare("SELECT count(*) AS n FROM refusals").first<{ n: number }>())?.n ?? 0;

afterEach(() => vi.restoreAllMocks());

describe("every refused send is logged with its reason and counted", () => {
	it("counts nothing in D1 while a request is refused: the tally waits for its batch", async () => {
		expect(await rowCount()).toBe(0);
		const cuba = "+5351234567";
		const refused = await stranger().send(cuba);
		expect(refused.status).toBe(403);
		// One refusal, a moment old: not due, so the request wrote nothing.
		expect(await rowCount()).toBe(0);
		const stats = await refusalStats();
		expect(stats.hour.byCallingCode["53"]).toEqual({ total: 1, byReason: { country: 1 } });
		expect(await rowCount()).toBe(1);
	});

	it("the range guard, the budgets, the country policy, the address limits and the bot check, each by name", async () => {
		const logs = captureLogs();
		const before = await refusalStats();
		// range_throttled: an eleventh unverified send to +1 876; block_throttled: a fourth to one exchange of +1 345.
		for (let i = 0; i < 11; i++) await stranger(SHIPPED).send(nanp("876"));
		for (let i = 0; i < 4; i++) await stranger(SHIPPED).send(nanp("345", "555"));
		// budget: +49 gets one SMS an hour here (a budget of 2 keeps 20 % in reserve).
		const tight = { SMS_BUDGET_PER_COUNTRY_PER_HOUR: "2" };
		expect((await stranger(tight).send("+4915112345671")).status).toBe(200);
		expect((await stranger(tight).send("+4915112345672")).status).toBe(503);
		// network: an address with one send an hour asks twice (before its body is read: no calling code).
		const limited = clientOn("198.51.100.77", { IP_RATE_LIMITS: "on", IP_SENDS_PER_HOUR: "1" });
		expect((await limited.send(nanp("907"))).status).toBe(200);
		expect((await limited.send(nanp("907"))).status).toBe(429);
		// challenge: the bot check is on and the client sends no token.
		const turnstile = {
			TURNSTILE_SECRET_KEY: TEST_SECRETS.pass,
			TURNSTILE_VERIFY_URL: "http://turnstile.test/turnstile/v0/siteverify",
		};
		expect((await stranger(turnstile).send(nanp("808"))).status).toBe(403);
		expect((await stranger(turnstile).send(nanp("808"), { "cf-turnstile-response": DUMMY_TOKEN })).status).toBe(200);

		const after = await refusalStats();
		const grew = (reason: string) => (after.hour.byReason[reason] ?? 0) - (before.hour.byReason[reason] ?? 0);
		expect(["range_throttled", "block_throttled", "budget", "network", "challenge"].map(grew)).toEqual([1, 1, 1, 1, 1]);
		expect(after.hour.byCallingCode["49"]?.byReason).toEqual({ budget: 1 });
		expect(after.hour.byCallingCode.unknown?.byReason).toEqual({ network: 1 });
		expect(after.hour.byCallingCode["1"]?.byReason).toMatchObject({ block_throttled: 1, challenge: 1 });
		for (const window of ["day", "week"] as const) expect(after[window].total).toBe(after.hour.total);

		// One line per refusal, with its reason and never the number.
		const lines = [...logs.events("sms_refused"), ...logs.events("sms_budget_exhausted")];
		expect(lines.map((l) => l.reason).sort()).toEqual(
			["block_throttled", "budget", "challenge", "network", "range_throttled"].sort(),
		);
		for (const line of lines) expect(JSON.stringify(line)).not.toMatch(/\+?\d{10,}/);
	});

	it("counts what observe would have refused apart, as observed", async () => {
		const before = await refusalStats();
		const statuses: number[] = [];
		for (let i = 0; i < 12; i++)
			statuses.push((await stranger({ ...SHIPPED, SMS_PROTECTION: "observe" }).send(nanp("473"))).status);
		expect(statuses).toEqual(Array(12).fill(200));
		const after = await refusalStats();
		expect(after.hour.observed.total - before.hour.observed.total).toBe(2);
		expect(after.hour.observed.byReason.range_throttled).toBe((before.hour.observed.byReason.range_throttled ?? 0) + 2);
		expect(after.hour.total).toBe(before.hour.total);
	});
});

describe("GET /api/admin/sms-stats: refusals per window", () => {
	const T = Date.UTC(2032, 4, 20, 12, 30, 0);
	const at = (ms: number, reason: string, callingCode: string, count: number, observed = false) => ({
		hour: Math.floor(ms / HOUR) * HOUR,
		reason,
		callingCode,
		observed,
		count,
	});

	it("sums the stored hours of each window, from the hour that holds its start, up to the request", async () => {
		await protectionStore(env.DB).addRefusals([
			at(T, "range_throttled", "1", 5),
			at(T - 90 * 60_000, "budget", "44", 2), // 11:00: within the hour window's first hour
			at(T - 2 * HOUR, "budget", "44", 3), // 10:00: the day's
			at(T - 2 * HOUR, "budget", "44", 4, true),
			at(T - 2 * DAY, "country", "53", 7), // the week's
			at(T - 8 * DAY, "country", "53", 100), // older than the week
			at(T + 2 * HOUR, "country", "53", 1000), // after the request
		]);
		// Counts add up across writes.
		await protectionStore(env.DB).addRefusals([at(T, "range_throttled", "1", 1)]);

		const { status, body } = await adminCall("GET", "/sms-stats", { now: T });
		expect(status).toBe(200);
		const { hour, day, week } = body.refusals as Record<string, Record<string, unknown>>;
		expect(hour).toEqual({
			since: new Date(Date.UTC(2032, 4, 20, 11)).toISOString(),
			total: 8,
			byReason: { budget: 2, range_throttled: 6 },
			byCallingCode: {
				"1": { total: 6, byReason: { range_throttled: 6 } },
				"44": { total: 2, byReason: { budget: 2 } },
			},
			observed: { total: 0, byReason: {}, byCallingCode: {} },
		});
		expect(day).toMatchObject({ total: 11, byReason: { budget: 5, range_throttled: 6 } });
		expect(day?.observed).toEqual({
			total: 4,
			byReason: { budget: 4 },
			byCallingCode: { "44": { total: 4, byReason: { budget: 4 } } },
		});
		expect(week).toMatchObject({ total: 18, byReason: { budget: 5, country: 7, range_throttled: 6 } });
		expect(week?.since).toBe(new Date(Date.UTC(2032, 4, 13, 12)).toISOString());
	});

	it("refuses without the admin token", async () => {
		expect((await adminCall("GET", "/sms-stats", { token: "wrong" })).status).toBe(401);
	});
});
