import { describe, expect, it } from "vitest";
import {
	DAY_MS,
	guessShareRefusal,
	HOUR_MS,
	type Ledger,
	ledgerWake,
	type Mark,
	mark,
	rateLimited,
	recent,
	sendShareRefusal,
} from "../../src/otp/caps";
import { OTP_POLICY } from "../support/otp-policy";

const policy = OTP_POLICY;
const T0 = 1_700_000_000_000;
const MINUTE = 60_000;
const A = "198.51.100.7";
const B = "2001:db8:1:100::/56";

/** The ledger after `count` marks of `kind` by `network`, `stepMs` apart from `from`. */
function marks(
	ledger: Ledger,
	network: string,
	kind: Mark["kind"],
	count: number,
	from: number,
	stepMs: number,
): Ledger {
	let out = ledger;
	for (let i = 0; i < count; i++) out = mark(out, from + i * stepMs, network, kind);
	return out;
}

const CODES = /Too many codes requested/;
const WRONG = /Too many incorrect codes/;

describe("sendShareRefusal: each network's own share", () => {
	it("lets the first send go", () => {
		expect(sendShareRefusal([], A, T0, policy)).toBeNull();
	});

	it("caps a network's sends per rolling hour, and says when its oldest leaves the hour", () => {
		const ledger = marks([], A, "send", 5, T0, MINUTE);
		const now = T0 + 10 * MINUTE;
		const refusal = sendShareRefusal(ledger, A, now, policy);
		expect(refusal).toMatchObject({ code: "RATE_LIMITED", retryAfter: (HOUR_MS - 10 * MINUTE) / 1000 });
		expect(refusal?.message).toMatch(CODES);
		// Another network has its whole share.
		expect(sendShareRefusal(ledger, B, now, policy)).toBeNull();
		// The hour rolls: the first send left it exactly an hour later.
		expect(sendShareRefusal(ledger, A, T0 + HOUR_MS - 1, policy)).toMatchObject({ retryAfter: 1 });
		expect(sendShareRefusal(ledger, A, T0 + HOUR_MS, policy)).toBeNull();
	});

	it("caps a network's sends per rolling day, and says when the oldest of its last ten leaves the day", () => {
		// Five an hour, in hours 0, 1 and 2: the eleventh send waits for the first to leave the day.
		let ledger = marks([], A, "send", 5, T0, MINUTE);
		ledger = marks(ledger, A, "send", 5, T0 + HOUR_MS, MINUTE);
		const now = T0 + 2 * HOUR_MS;
		expect(sendShareRefusal(ledger, A, now, policy)).toMatchObject({ retryAfter: (DAY_MS - 2 * HOUR_MS) / 1000 });
		expect(sendShareRefusal(ledger, B, now, policy)).toBeNull();
		expect(sendShareRefusal(ledger, A, T0 + DAY_MS, policy)).toBeNull();
	});

	it("a network that spent its shares of sends and wrong codes spends nothing of another's", () => {
		let ledger = marks([], B, "send", 5, T0, MINUTE);
		ledger = marks(ledger, B, "send", 5, T0 + HOUR_MS, MINUTE);
		ledger = marks(ledger, B, "fail", 10, T0, MINUTE);
		const now = T0 + 2 * HOUR_MS;
		expect(sendShareRefusal(ledger, B, now, policy)).not.toBeNull();
		expect(guessShareRefusal(ledger, B, now, policy)).not.toBeNull();
		expect(sendShareRefusal(ledger, A, now, policy)).toBeNull();
		expect(guessShareRefusal(ledger, A, now, policy)).toBeNull();
	});
});

describe("sendShareRefusal: the phone's ceiling over every network", () => {
	it("refuses every network once the phone had its day's sends, whoever sent them", () => {
		// Thirty networks, one send each, a minute apart: each far inside its own share.
		let ledger: Ledger = [];
		for (let i = 0; i < 30; i++) ledger = mark(ledger, T0 + i * MINUTE, `203.0.113.${i}`, "send");
		const now = T0 + HOUR_MS;
		const refusal = sendShareRefusal(ledger, A, now, policy);
		expect(refusal).toMatchObject({ code: "RATE_LIMITED", retryAfter: (DAY_MS - HOUR_MS) / 1000 });
		expect(refusal?.message).toMatch(CODES);
		expect(sendShareRefusal(ledger.slice(1), A, now, policy)).toBeNull();
		// The ceiling is a rolling day too.
		expect(sendShareRefusal(ledger, A, T0 + DAY_MS, policy)).toBeNull();
	});
});

describe("guessShareRefusal", () => {
	it("refuses a network after its day's share of wrong codes for the phone; other networks may still guess", () => {
		const ledger = marks([], A, "fail", 10, T0, MINUTE);
		const now = T0 + HOUR_MS;
		const refusal = guessShareRefusal(ledger, A, now, policy);
		expect(refusal).toMatchObject({ code: "RATE_LIMITED", retryAfter: (DAY_MS - HOUR_MS) / 1000 });
		expect(refusal?.message).toMatch(WRONG);
		expect(guessShareRefusal(marks([], A, "fail", 9, T0, MINUTE), A, now, policy)).toBeNull();
		expect(guessShareRefusal(ledger, B, now, policy)).toBeNull();
		expect(guessShareRefusal(ledger, A, T0 + DAY_MS, policy)).toBeNull();
	});

	it("refuses every network once the phone reached its ceiling of wrong codes", () => {
		let ledger: Ledger = [];
		for (let i = 0; i < 50; i++) ledger = mark(ledger, T0 + i * MINUTE, `203.0.113.${i % 10}`, "fail");
		const now = T0 + HOUR_MS;
		expect(guessShareRefusal(ledger, B, now, policy)).toMatchObject({
			code: "RATE_LIMITED",
			retryAfter: (DAY_MS - HOUR_MS) / 1000,
		});
		expect(guessShareRefusal(ledger.slice(1), B, now, policy)).toBeNull();
	});

	it("also refuses that network's sends (a new code would only buy more guesses), and says why", () => {
		const ledger = marks([], A, "fail", 10, T0, MINUTE);
		const refusal = sendShareRefusal(ledger, A, T0 + HOUR_MS, policy);
		expect(refusal).toMatchObject({ code: "RATE_LIMITED", retryAfter: (DAY_MS - HOUR_MS) / 1000 });
		expect(refusal?.message).toMatch(WRONG);
		expect(sendShareRefusal(ledger, B, T0 + HOUR_MS, policy)).toBeNull();
	});

	it("sends do not count as wrong codes", () => {
		const ledger = marks([], A, "send", 10, T0, HOUR_MS);
		expect(guessShareRefusal(ledger, A, T0 + 10 * HOUR_MS, policy)).toBeNull();
	});
});

describe("rateLimited", () => {
	it("rounds Retry-After up to whole seconds, and never below one", () => {
		expect(rateLimited(1, "m")).toMatchObject({ code: "RATE_LIMITED", retryAfter: 1, message: "m" });
		expect(rateLimited(1_001, "m")).toMatchObject({ retryAfter: 2 });
		expect(rateLimited(2_000, "m")).toMatchObject({ retryAfter: 2 });
		expect(rateLimited(0, "m")).toMatchObject({ retryAfter: 1 });
		expect(rateLimited(-5_000, "m")).toMatchObject({ retryAfter: 1 });
	});
});

describe("the ledger is bounded to a day", () => {
	it("drops marks that left the day when a new one is added, and only those", () => {
		const ledger = marks([], A, "send", 4, T0, 12 * HOUR_MS);
		expect(ledger.map((m) => m.at)).toEqual([T0 + 24 * HOUR_MS, T0 + 36 * HOUR_MS]);
		// A mark exactly a day old has left the day; one a millisecond younger has not.
		expect(mark(ledger, T0 + 48 * HOUR_MS - 1, B, "fail")).toHaveLength(3);
		expect(mark(ledger, T0 + 48 * HOUR_MS, B, "fail")).toEqual([
			{ at: T0 + 36 * HOUR_MS, network: A, kind: "send" },
			{ at: T0 + 48 * HOUR_MS, network: B, kind: "fail" },
		]);
	});

	it("recent keeps the very ledger while nothing left the day (the store skips the write)", () => {
		const ledger = marks([], A, "send", 3, T0, HOUR_MS);
		expect(recent(ledger, T0 + DAY_MS - 1)).toBe(ledger);
		expect(recent(ledger, T0 + DAY_MS)).toEqual(ledger.slice(1));
		expect(recent(ledger, T0 + 2 * HOUR_MS + DAY_MS)).toEqual([]);
	});

	it("wakes when the last mark leaves the day; never for an empty ledger", () => {
		expect(ledgerWake([])).toBe(0);
		expect(ledgerWake(marks([], A, "send", 3, T0, HOUR_MS))).toBe(T0 + 2 * HOUR_MS + DAY_MS);
	});

	it("holds at most the phone's two ceilings, however many networks mark whatever they are allowed to", () => {
		// A day and a half of strangers on 100 networks sending and guessing whenever the shares let them.
		let ledger: Ledger = [];
		let longest = 0;
		for (let minute = 0; minute < 36 * 60; minute++) {
			const now = T0 + minute * MINUTE;
			const network = `203.0.113.${minute % 100}`;
			if (!sendShareRefusal(ledger, network, now, policy)) ledger = mark(ledger, now, network, "send");
			if (!guessShareRefusal(ledger, network, now, policy)) ledger = mark(ledger, now, network, "fail");
			longest = Math.max(longest, ledger.length);
		}
		expect(longest).toBe(policy.phoneMaxSendsPerDay + policy.phoneMaxFailedPerDay);
	});
});
