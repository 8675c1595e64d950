import { afterEach, describe, expect, it, vi } from "vitest";
import { phoneOf } from "../../src/phone/parse";
import { adminCall, refusalStats } from "../support/admin";
import { captureLogs } from "../support/log-capture";
import { counterTotal, storedChallenge } from "../support/objects";
import { lastCode, smsTo } from "../support/outbox";
import { nanpNumbers, SHIPPED_ROOM } from "../support/ranges";
import { clientOn } from "../support/registration";

const nanp = nanpNumbers(8000, 37);

const SHIPPED = SHIPPED_ROOM;
const STRICT = { ...SHIPPED, SMS_PROTECTION: "strict" };
const JAMAICA = { country: "JM", asn: 64501 };
const ABROAD = { country: "US", asn: 64500 };
/** Home for the US numbers of the tests below. */
const US = { country: "US", asn: 64502 };

let host = 0;
const nextIp = () => `203.0.113.${(++host % 250) + 1}`;

afterEach(() => vi.restoreAllMocks());

describe("a country mismatch: the request's country is none of the number's", () => {
	it("strict: refused with 403 COUNTRY_MISMATCH before anything is sent; the owner at home and a cf-less request are texted", async () => {
		const phone = nanp("876");
		const stranger = clientOn(nextIp(), STRICT, ABROAD);
		const refused = await stranger.send(phone);
		expect(refused.status).toBe(403);
		expect(await refused.json()).toMatchObject({ success: false, code: "COUNTRY_MISMATCH", field: "phone" });
		expect(await smsTo(phone)).toEqual([]);
		expect(await storedChallenge(phone)).toBeNull();

		const owner = clientOn("198.51.100.60", STRICT, JAMAICA);
		expect((await owner.send(phone)).status).toBe(200);
		expect((await owner.verify(phone, await lastCode(phone))).status).toBe(201);
		expect((await clientOn(nextIp(), STRICT).send(nanp("876"))).status).toBe(200);
		expect((await refusalStats()).hour.byReason.country_mismatch).toBe(1);
	});

	it("standard: suspect, so strangers abroad get half the range's room while the owner at home gets the rest", async () => {
		const logs = captureLogs();
		const statuses: number[] = [];
		for (let i = 0; i < 6; i++) statuses.push((await clientOn(nextIp(), SHIPPED, ABROAD).send(nanp("658"))).status);
		expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
		expect(logs.events("sms_signal")[0]).toMatchObject({
			level: "warn",
			signals: ["country_mismatch"],
			country: "US",
			callingCode: "1",
			protection: "standard",
		});
		const range = async () => {
			const { body } = await adminCall("GET", "/protection", { vars: SHIPPED });
			return (body.ranges as { range: string }[]).find((r) => r.range === "+1658");
		};
		expect(await range()).toMatchObject({ state: "throttled_suspect", unverified: 5, allowance: 10, refusals: 1 });
		const owner = clientOn("198.51.100.61", SHIPPED, JAMAICA);
		expect((await owner.send(nanp("658"))).status).toBe(200);
		expect(await range()).toMatchObject({ state: "throttled_suspect", unverified: 6 });
	});

	it("observe: logged, nothing held back", async () => {
		const logs = captureLogs();
		const observe = { ...SHIPPED, SMS_PROTECTION: "observe" };
		for (let i = 0; i < 8; i++) expect((await clientOn(nextIp(), observe, ABROAD).send(nanp("345"))).status).toBe(200);
		expect(logs.events("sms_signal")).toHaveLength(8);
		expect(logs.events("sms_would_refuse")).toEqual([]);
	});

	it("never for a registered customer's password reset from abroad (known-good traffic)", async () => {
		const home = clientOn("198.51.100.62", STRICT, US);
		const phone = nanp("406");
		expect((await home.send(phone)).status).toBe(200);
		expect((await home.verify(phone, await lastCode(phone))).status).toBe(201);
		const away = clientOn("198.51.100.63", STRICT, { country: "GB" });
		expect((await away.sendReset(phone)).status).toBe(200);
		expect(await smsTo(phone)).toHaveLength(2);
	});

	it("never for a number on its range's safe list", async () => {
		const phone = nanp("701");
		expect((await adminCall("POST", "/protection/safe", { body: { phone } })).status).toBe(200);
		expect((await clientOn(nextIp(), STRICT, { country: "GB" }).send(phone)).status).toBe(200);
	});
});

describe("many numbers from one network", () => {
	const busy = { ...STRICT, SMS_SIGNAL_NETWORK_SENDS_PER_HOUR: "3" };

	it("strict: a network's fourth SMS in the hour is refused with RATE_LIMITED; another network is not held", async () => {
		const stranger = clientOn("203.0.113.200", busy, US);
		for (let i = 0; i < 3; i++) expect((await stranger.send(nanp("802"))).status).toBe(200);
		const phone = nanp("802");
		const refused = await stranger.send(phone);
		expect(refused.status).toBe(429);
		expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
		expect(await refused.json()).toMatchObject({ code: "RATE_LIMITED" });
		expect(await smsTo(phone)).toEqual([]);
		expect(await counterTotal("net-sends:203.0.113.200")).toBe(3);

		const owner = clientOn("198.51.100.64", busy, US);
		expect((await owner.send(nanp("802"))).status).toBe(200);
		expect((await refusalStats()).hour.byReason.network_sends).toBe(1);
	});

	it("counts an IPv6 /48 as one network, whichever /56 or /64 in it asks", async () => {
		const addresses = ["2001:db8:aa:100::1", "2001:db8:aa:200::1", "2001:db8:aa:300:1::1", "2001:db8:aa:400::9"];
		const statuses: number[] = [];
		for (const ip of addresses) statuses.push((await clientOn(ip, busy, US).send(nanp("307"))).status);
		expect(statuses).toEqual([200, 200, 200, 429]);
		expect((await clientOn("2001:db8:bb::1", busy, US).send(nanp("307"))).status).toBe(200);
	});

	it("standard: suspect (half the room), not refused", async () => {
		const loose = { ...SHIPPED, SMS_SIGNAL_NETWORK_SENDS_PER_HOUR: "1" };
		const stranger = clientOn("203.0.113.201", loose, US);
		const statuses: number[] = [];
		for (let i = 0; i < 7; i++) statuses.push((await stranger.send(nanp("907"))).status);
		// One plain send, then suspect: half of the range's 10.
		expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
	});

	it("gives a send that did not go out back to its network", async () => {
		const tight = { ...busy, SMS_BUDGET_PER_COUNTRY_PER_HOUR: "1" };
		const stranger = clientOn("203.0.113.202", tight, { country: "DE" });
		expect((await stranger.send("+4915212345678")).status).toBe(200);
		expect((await stranger.send("+4916212345678")).status).toBe(503);
		expect(await counterTotal("net-sends:203.0.113.202")).toBe(1);
	});
});

describe("many numbers from one autonomous system", () => {
	const busy = { ...STRICT, SMS_SIGNAL_ASN_SENDS_PER_HOUR: "3" };

	it("strict: the system's fourth SMS in the hour is refused, from any of its networks; another system is not held", async () => {
		const statuses: number[] = [];
		for (let i = 0; i < 4; i++)
			statuses.push((await clientOn(nextIp(), busy, { country: "US", asn: 64999 }).send(nanp("605"))).status);
		expect(statuses).toEqual([200, 200, 200, 429]);
		expect((await clientOn("198.51.100.65", busy, US).send(nanp("605"))).status).toBe(200);
		expect(await counterTotal("asn-sends:64999")).toBe(3);
	});

	it("is not counted when the setting is off (the default) or Cloudflare names no system", async () => {
		expect((await clientOn(nextIp(), STRICT, { country: "US", asn: 64777 }).send(nanp("505"))).status).toBe(200);
		expect(await counterTotal("asn-sends:64777")).toBe(0);
		expect((await clientOn(nextIp(), busy, { country: "US" }).send(nanp("505"))).status).toBe(200);
	});
});
