import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { prefixGuardFor } from "../../src/abuse/prefix-guard";
import {
	admitSend,
	FRESH,
	type PrefixPolicy,
	type PrefixState,
	rate,
	recordVerified,
} from "../../src/abuse/prefix-rules";
import { phoneOf } from "../../src/phone/parse";
import { moveObjectClock, setClock } from "../support/objects";
import { lastCode, smsTo } from "../support/outbox";
import { sendOtp, verifyOtp } from "../support/registration";

const MINUTE = 60_000;
const T0 = Date.UTC(2030, 0, 1);
const policy: PrefixPolicy = {
	minSends: 20,
	minRate: 0.1,
	windowMs: 86_400_000,
	blockMs: 3_600_000,
	settleMs: 300_000,
};

/** `n` sends at `at`, each admitted; fails the test if one is blocked. */
function sends(s: PrefixState, at: number, n: number): PrefixState {
	let state = s;
	for (let i = 0; i < n; i++) {
		const next = admitSend(state, at, policy);
		expect(next.blockedFor).toBeNull();
		state = next.state;
	}
	return state;
}

describe("prefix rules", () => {
	it("names a range by calling code and the next three digits", () => {
		expect(phoneOf("+447071234567").range).toBe("+44707");
		expect(phoneOf("+14155552671").range).toBe("+1415");
		expect(phoneOf("+37120012345").range).toBe("+371200");
	});

	it("does not judge sends whose codes may still be verified", () => {
		const s = sends(FRESH, T0, 100);
		expect(rate(s, T0 + 4 * MINUTE, policy)).toEqual({ settled: 0, verified: 0 });
		expect(admitSend(s, T0 + 4 * MINUTE, policy).blockedFor).toBeNull();
		expect(rate(s, T0 + 6 * MINUTE, policy).settled).toBe(100);
	});

	it("blocks a range with enough settled sends and too few verifications, for the block period", () => {
		let s = sends(FRESH, T0, 20);
		s = recordVerified(s, T0 + MINUTE, policy); // 1 of 20: 5 %, under 10 %
		const judged = admitSend(s, T0 + 6 * MINUTE, policy);
		expect(judged.blockedFor).toBe(3_600_000);
		expect(admitSend(judged.state, T0 + 30 * MINUTE, policy).blockedFor).toBe(3_600_000 - 24 * MINUTE);
		// Still pumped when the block ends (the history stays): blocked again at once.
		expect(admitSend(judged.state, T0 + 66 * MINUTE, policy).blockedFor).toBe(3_600_000);
	});

	it("never blocks a range whose codes get verified, nor one below the minimum of sends", () => {
		let s = sends(FRESH, T0, 20);
		s = recordVerified(recordVerified(s, T0 + MINUTE, policy), T0 + MINUTE, policy); // 10 %
		expect(admitSend(s, T0 + 6 * MINUTE, policy).blockedFor).toBeNull();
		expect(admitSend(sends(FRESH, T0, 19), T0 + 6 * MINUTE, policy).blockedFor).toBeNull();
	});

	it("forgets sends that left the window", () => {
		const s = sends(FRESH, T0, 30);
		expect(rate(s, T0 + 86_400_000 + MINUTE, policy).settled).toBe(0);
	});
});

describe("the guard over HTTP", () => {
	const setGuardClock = (phone: string, ms: number) => moveObjectClock(prefixGuardFor(env, phoneOf(phone)), ms);

	it("stops texting a pumped range, answers 503 with Retry-After, and leaves other ranges alone", async () => {
		// +44 7800 900xxx: one range; 20 codes nobody verifies.
		const pumped = Array.from({ length: 22 }, (_, i) => `+447800900${String(200 + i).padStart(3, "0")}`);
		await setGuardClock(pumped[0] as string, T0);
		for (const phone of pumped.slice(0, 20)) {
			await setClock(phone, T0);
			expect((await sendOtp(phone)).status).toBe(200);
		}
		await setGuardClock(pumped[0] as string, T0 + 6 * MINUTE);
		const victim = pumped[20] as string;
		await setClock(victim, T0 + 6 * MINUTE);
		const refused = await sendOtp(victim);
		expect(refused.status).toBe(503);
		expect(refused.headers.get("Retry-After")).toBe("3600");
		expect(await refused.json()).toMatchObject({ success: false, code: "SMS_PREFIX_BLOCKED" });
		expect(await smsTo(victim)).toEqual([]);

		// Another range of the same country still gets codes, and verifying counts there.
		const real = "+447400800123";
		expect((await sendOtp(real)).status).toBe(200);
		expect((await verifyOtp(real, await lastCode(real))).status).toBe(201);
		const [, verified] = await runInDurableObject(prefixGuardFor(env, phoneOf(real)), async (_, state) => [
			null,
			(await state.storage.get<{ prefix: PrefixState }>("state"))?.prefix.verified,
		]);
		expect(Object.values(verified ?? {})).toEqual([1]);
	});

	it("forgets everything once the window and the block are over", async () => {
		const phone = "+447500700123";
		await setGuardClock(phone, T0);
		expect((await sendOtp(phone)).status).toBe(200);
		const guard = prefixGuardFor(env, phoneOf(phone));
		await setGuardClock(phone, T0 + 86_400_000 + 2 * MINUTE);
		await runDurableObjectAlarm(guard);
		const keys = await runInDurableObject(guard, async (_, state) => [...(await state.storage.list()).keys()]);
		expect(keys).toEqual([]);
	});
});
