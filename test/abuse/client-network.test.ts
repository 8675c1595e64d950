import { describe, expect, it } from "vitest";
import {
	clientIp,
	clientNetwork,
	ipSummary,
	ipThrottleKey,
	UNKNOWN_NETWORK,
	userAgent,
} from "../../src/abuse/client-network";

const request = (headers: Record<string, string>, cf?: { country: string }) =>
	new Request("http://localhost/", { headers, cf } as RequestInit);

describe("ipThrottleKey", () => {
	it("keys an IPv4 address by itself", () => {
		expect(ipThrottleKey("203.0.113.7")).toBe("203.0.113.7");
		expect(ipThrottleKey("203.0.113.8")).not.toBe(ipThrottleKey("203.0.113.7"));
	});

	it("keys an IPv4-mapped IPv6 address by its IPv4 address, not by the shared ::ffff:0:0/96", () => {
		expect(ipThrottleKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
		expect(ipThrottleKey("::ffff:198.51.100.1")).not.toBe(ipThrottleKey("::ffff:203.0.113.7"));
	});

	it("keys IPv6 by its /56, however the address is written", () => {
		const key = ipThrottleKey("2001:db8:1:2::7");
		expect(key).toBe("2001:db8:1:0::/56");
		expect(ipThrottleKey("2001:0db8:0001:0002:ffff:0:0:1")).toBe(key);
		expect(ipThrottleKey("2001:DB8:1:2:0:0:0:9")).toBe(key);
		// Another /64 of the same /56 is the same network; the next /56 is not.
		expect(ipThrottleKey("2001:db8:1:ff::7")).toBe(key);
		expect(ipThrottleKey("2001:db8:1:100::7")).toBe("2001:db8:1:100::/56");
		expect(ipThrottleKey("2001:db8:2:2::7")).not.toBe(key);
		expect(ipThrottleKey("::1")).toBe("0:0:0:0::/56");
	});
});

describe("ipSummary", () => {
	it("keeps the network and the country, never the address", () => {
		expect(ipSummary(request({ "CF-Connecting-IP": "203.0.113.7" }, { country: "NZ" }))).toBe("203.0.113.0/24 NZ");
		expect(ipSummary(request({ "CF-Connecting-IP": "::ffff:203.0.113.7" }))).toBe("203.0.113.0/24");
		expect(ipSummary(request({ "CF-Connecting-IP": "2001:db8:1:2::7" }))).toBe("2001:db8:1::/48");
		expect(ipSummary(request({}))).toBeNull();
	});
});

describe("clientNetwork", () => {
	it("keys a request by its network; without an address, one shared key in production and none elsewhere", () => {
		expect(clientNetwork(request({ "CF-Connecting-IP": "203.0.113.7" }), true)).toBe("203.0.113.7");
		expect(clientNetwork(request({ "CF-Connecting-IP": "2001:db8:1:2::7" }), false)).toBe("2001:db8:1:0::/56");
		expect(clientNetwork(request({}), true)).toBe(UNKNOWN_NETWORK);
		expect(clientNetwork(request({ "X-Forwarded-For": "203.0.113.7" }), true)).toBe(UNKNOWN_NETWORK);
		expect(clientNetwork(request({}), false)).toBeNull();
	});
});

describe("clientIp and userAgent", () => {
	it("read only what Cloudflare sets, bounded", () => {
		expect(clientIp(request({ "CF-Connecting-IP": " 203.0.113.7 " }))).toBe("203.0.113.7");
		expect(clientIp(request({ "X-Forwarded-For": "203.0.113.7" }))).toBeNull();
		expect(userAgent(request({ "User-Agent": "x".repeat(500) }))?.length).toBe(200);
		expect(userAgent(request({}))).toBeNull();
	});
});
