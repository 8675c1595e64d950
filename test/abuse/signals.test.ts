import { describe, expect, it } from "vitest";
import { clientNetwork48, networkKey48 } from "../../src/abuse/client-network";
import { FRESH_RANGE, judgeSend, type RangePolicy, type RangeState } from "../../src/abuse/range-rules";
import { countryMismatch, originOf } from "../../src/abuse/signals";
import { parseConfig } from "../../src/config/config";
import { phoneOf } from "../../src/phone/parse";
import { configErrorMessage, development } from "../support/config-fixtures";

const request = (headers: Record<string, string> = {}, cf?: Record<string, unknown>) =>
	new Request("http://localhost/", { headers, ...(cf && { cf: cf as RequestInit["cf"] }) });

describe("the signals' client network: an IPv4 address or an IPv6 /48", () => {
	it("keys IPv6 by its first three groups, however it is written", () => {
		expect(networkKey48("2001:db8:aa:100::1")).toBe("2001:db8:aa::/48");
		expect(networkKey48("2001:0db8:00aa:0200:0000:0000:0000:0002")).toBe("2001:db8:aa::/48");
		expect(networkKey48("2001:DB8:AB::7")).toBe("2001:db8:ab::/48");
		expect(networkKey48("2001:db8::1")).toBe("2001:db8:0::/48");
		expect(networkKey48("::1")).toBe("0:0:0::/48");
	});

	it("keys IPv4 by the address, also when IPv4-mapped", () => {
		expect(networkKey48("203.0.113.7")).toBe("203.0.113.7");
		expect(networkKey48("::ffff:203.0.113.7")).toBe("203.0.113.7");
	});

	it("reads CF-Connecting-IP; without it, one shared key in production and none elsewhere", () => {
		expect(clientNetwork48(request({ "CF-Connecting-IP": "2001:db8:aa:1::1" }), true)).toBe("2001:db8:aa::/48");
		expect(clientNetwork48(request(), true)).toBe("unknown");
		expect(clientNetwork48(request(), false)).toBeNull();
	});
});

describe("where a request comes from", () => {
	it("reads request.cf's country and ASN, and the /48", () => {
		const r = request({ "CF-Connecting-IP": "203.0.113.9" }, { country: "JM", asn: 64500 });
		expect(originOf(r, true)).toEqual({ country: "JM", asn: 64500, network: "203.0.113.9" });
	});

	it("knows nothing without request.cf, or with an unknown country", () => {
		expect(originOf(request(), false)).toEqual({ network: null });
		expect(originOf(request({}, { country: "XX", asn: 0 }), false)).toEqual({ network: null });
		expect(originOf(request({}, { country: "T1" }), false)).toEqual({ country: "T1", network: null });
	});
});

describe("a country mismatch", () => {
	const from = (country?: string) => ({ network: null, ...(country && { country }) });

	it("is a request from a country the number does not belong to", () => {
		expect(countryMismatch(from("US"), phoneOf("+18765550123"))).toBe(true);
		expect(countryMismatch(from("JM"), phoneOf("+18765550123"))).toBe(false);
		expect(countryMismatch(from("T1"), phoneOf("+14155552671"))).toBe(true);
	});

	it("matches any country of a shared range, and says nothing of a countryless number or an unknown origin", () => {
		expect(countryMismatch(from("JE"), phoneOf("+447700900123"))).toBe(false);
		expect(countryMismatch(from("FR"), phoneOf("+447700900123"))).toBe(true);
		expect(countryMismatch(from("US"), phoneOf("+88216123456"))).toBe(false);
		expect(countryMismatch(from(), phoneOf("+18765550123"))).toBe(false);
	});
});

describe("a suspect request in the range guard", () => {
	const policy: RangePolicy = {
		fastWindowMs: 3_600_000,
		rangeAllowance: 10,
		blockAllowance: 3,
		maxAllowance: 100,
		provenWindowMs: 30 * 86_400_000,
	};
	const T0 = Date.UTC(2030, 0, 1);

	it("gets half the room of the range and of a block; a human suspect gets the plain room", () => {
		let s: RangeState = FRESH_RANGE;
		for (let i = 0; i < 5; i++) s = judgeSend(s, `+1876${200 + i}`, T0, policy).state;
		expect(judgeSend(s, "+1876999", T0, policy, { suspect: true }).verdict).toMatchObject({ scope: "range" });
		expect(judgeSend(s, "+1876999", T0, policy).verdict).toEqual({ verdict: "ok" });
		expect(judgeSend(s, "+1876999", T0, policy, { suspect: true, human: true }).verdict).toEqual({ verdict: "ok" });
		let b: RangeState = FRESH_RANGE;
		for (let i = 0; i < 2; i++) b = judgeSend(b, "+1876555", T0, policy).state;
		expect(judgeSend(b, "+1876555", T0, policy, { suspect: true }).verdict).toMatchObject({ scope: "block" });
	});
});

describe("the signals' settings", () => {
	it("default to the country check on, 10 SMS an hour per network, the ASN count off", () => {
		expect(parseConfig(development()).protection.signals).toEqual({
			countryMismatch: true,
			networkSendsPerHour: 10,
			asnSendsPerHour: 0,
		});
		const set = parseConfig(
			development({
				SMS_SIGNAL_COUNTRY_MISMATCH: "off",
				SMS_SIGNAL_NETWORK_SENDS_PER_HOUR: "0",
				SMS_SIGNAL_ASN_SENDS_PER_HOUR: "500",
			}),
		);
		expect(set.protection.signals).toEqual({ countryMismatch: false, networkSendsPerHour: 0, asnSendsPerHour: 500 });
	});

	it.each([
		["SMS_SIGNAL_COUNTRY_MISMATCH", "yes"],
		["SMS_SIGNAL_NETWORK_SENDS_PER_HOUR", "-1"],
		["SMS_SIGNAL_ASN_SENDS_PER_HOUR", "many"],
	])("refuses %s=%j", (name, value) => {
		expect(configErrorMessage(development({ [name]: value }))).toContain(name);
	});
});
