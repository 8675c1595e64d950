import { describe, expect, it } from "vitest";
import { consume, wrongGuess } from "../../src/otp/attempts";
import { isFailure, live, type Registrations, resolve, startRefusal } from "../../src/otp/registrations";
import { issue } from "../../src/otp/sends";
import { type ChallengeState, EMPTY, type Registration } from "../../src/otp/state";
import { OTP_POLICY } from "../support/otp-policy";

const policy = OTP_POLICY;
const T0 = 1_700_000_000_000;
const SECOND = 1000;
const TTL = policy.ttlMs;
const A = "198.51.100.7";
const B = "198.51.100.8";
const C = "2001:db8:1:100::/56";
const D = "203.0.113.9";

/** A registration started by `network` at `at`, with its code pending. */
function started(id: string, network: string, at: number): ChallengeState<Registration> {
	const subject: Registration = { name: id, email: `${id}@example.com`, phone: "+14155552671", passwordHash: "h" };
	const fresh = { ...EMPTY, id, network };
	return issue(fresh, subject, new Uint8Array([1]), 1, at, policy, { challengeId: `c-${id}`, channel: "sms" });
}

const of = (...all: ChallengeState<Registration>[]): Registrations => new Map(all.map((r) => [r.id, r]));
const burned = (r: ChallengeState<Registration>) =>
	[1, 2, 3].reduce((s) => wrongGuess(s, policy).state, r) as ChallengeState<Registration>;

describe("live", () => {
	it("lists the registrations holding a code at `now`, burned ones included", () => {
		const regs = of(started("a", A, T0), burned(started("b", B, T0 + SECOND)), consume(started("c", C, T0)));
		expect(live(regs, T0 + 2 * SECOND).map((r) => r.id)).toEqual(["a", "b"]);
		// By the clock alone: "a" expired at T0 + TTL.
		expect(live(regs, T0 + TTL).map((r) => r.id)).toEqual(["b"]);
		expect(live(regs, T0 + SECOND + TTL)).toEqual([]);
	});
});

describe("resolve with an id", () => {
	const a = started("a", A, T0);
	const b = started("b", B, T0 + SECOND);

	it("finds that registration, whatever else is pending", () => {
		expect(resolve(of(a, b), "a", T0 + 2 * SECOND)).toEqual(a);
		expect(resolve(of(a, b), "b", T0 + 2 * SECOND)).toEqual(b);
	});

	it("answers it as it is at `now`: expired once past its TTL", () => {
		expect(resolve(of(a, b), "a", T0 + TTL)).toMatchObject({ id: "a", status: "expired", subject: null });
	});

	it("answers OTP_NOT_FOUND for an id it does not hold, even while others are pending", () => {
		expect(resolve(of(a, b), "q1w2E3r4T5y6U7i8O9p0_A", T0)).toMatchObject({ ok: false, code: "OTP_NOT_FOUND" });
		expect(resolve(of(), "a", T0)).toMatchObject({ ok: false, code: "OTP_NOT_FOUND" });
	});
});

describe("resolve without an id", () => {
	it("serves the only live registration, past any tombstone", () => {
		const old = consume(started("old", A, T0));
		const a = started("a", B, T0 - 10 * SECOND);
		expect(resolve(of(old, a), undefined, T0 + SECOND)).toEqual(a);
	});

	it("answers REGISTRATION_ID_REQUIRED while several are live", () => {
		const regs = of(started("a", A, T0), burned(started("b", B, T0 + SECOND)));
		expect(resolve(regs, undefined, T0 + 2 * SECOND)).toMatchObject({ ok: false, code: "REGISTRATION_ID_REQUIRED" });
		// Once one of them expired, the other is the only one.
		expect(resolve(regs, undefined, T0 + TTL)).toMatchObject({ id: "b", status: "burned" });
	});

	it("with none live, answers the latest one as it is (a tombstone), so the caller can say expired or not found", () => {
		const regs = of(started("later", A, T0 + SECOND), consume(started("earlier", B, T0)));
		expect(resolve(regs, undefined, T0 + SECOND + TTL)).toMatchObject({ id: "later", status: "expired" });
		const consumedLast = of(started("earlier", A, T0), consume(started("later", B, T0 + SECOND)));
		expect(resolve(consumedLast, undefined, T0 + SECOND + TTL)).toMatchObject({ id: "later", status: "consumed" });
	});

	it("with nothing held at all, answers a state without a code", () => {
		expect(resolve(of(), undefined, T0)).toEqual(EMPTY);
	});
});

describe("startRefusal", () => {
	it("lets the first registration start", () => {
		expect(startRefusal(of(), A, T0, policy)).toBeNull();
	});

	it("refuses a second one from the network that holds a live registration, until that one expires", () => {
		const regs = of(started("a", A, T0));
		const refusal = startRefusal(regs, A, T0 + 100 * SECOND, policy);
		expect(refusal).toMatchObject({ ok: false, code: "RATE_LIMITED", retryAfter: 200 });
		expect(refusal?.message).toMatch(/already pending from your network/);
		// A burned code is still that network's registration (a resend revives it).
		expect(startRefusal(of(burned(started("a", A, T0))), A, T0 + SECOND, policy)).toMatchObject({
			code: "RATE_LIMITED",
		});
		expect(startRefusal(regs, A, T0 + TTL, policy)).toBeNull();
		expect(startRefusal(of(consume(started("a", A, T0))), A, T0 + SECOND, policy)).toBeNull();
	});

	it("lets another network start its own beside it", () => {
		expect(startRefusal(of(started("a", A, T0)), B, T0 + SECOND, policy)).toBeNull();
	});

	it("caps the live registrations of the phone, whoever started them, until the earliest expires", () => {
		const regs = of(started("a", A, T0 + 20 * SECOND), started("b", B, T0), started("c", C, T0 + 10 * SECOND));
		const now = T0 + 30 * SECOND;
		const refusal = startRefusal(regs, D, now, policy);
		expect(refusal).toMatchObject({ ok: false, code: "RATE_LIMITED", retryAfter: (TTL - 30 * SECOND) / SECOND });
		expect(refusal?.message).toMatch(/Too many registrations are pending/);
		expect(startRefusal(of(started("a", A, T0), started("b", B, T0)), D, now, policy)).toBeNull();
		expect(startRefusal(regs, D, T0 + TTL, policy)).toBeNull();
		expect(startRefusal(regs, D, now, { ...policy, maxPendingPerPhone: 4 })).toBeNull();
	});

	it("names the network's own registration first, even at the cap", () => {
		const regs = of(started("a", A, T0 + 20 * SECOND), started("b", B, T0), started("c", C, T0 + 10 * SECOND));
		const refusal = startRefusal(regs, A, T0 + 30 * SECOND, policy);
		expect(refusal?.message).toMatch(/already pending from your network/);
		expect(refusal).toMatchObject({ retryAfter: (TTL - 10 * SECOND) / SECOND });
	});
});

describe("isFailure", () => {
	it("tells a failure from a registration", () => {
		expect(isFailure(resolve(of(), "a", T0))).toBe(true);
		expect(isFailure(started("a", A, T0))).toBe(false);
	});
});
