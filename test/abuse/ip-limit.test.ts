import { describe, expect, it } from "vitest";
import { appWith, post, registration, uniquePhone } from "../support/api";
import { counterStub, moveObjectClock } from "../support/objects";
import { smsTo } from "../support/outbox";

const AREA = "641";

/** An app whose burst limiter always admits, with the given settings: the caps alone decide. */
function limitedApp(vars: Record<string, string>, burst = true) {
	const limiter = { limit: async () => ({ success: burst }) };
	const call = appWith({ ...vars, SEND_RATE_LIMITER: limiter });
	return (path: string, body: unknown, ip: string) => call(path, body, { "CF-Connecting-IP": ip });
}

const send = (ip: string) =>
	post("/api/customers/send-otp", registration(uniquePhone(AREA)), { "CF-Connecting-IP": ip });

describe("per-address limits on the routes that send SMS", () => {
	it("refuses a burst through the Rate Limiting binding (5 a minute per address)", async () => {
		const statuses: number[] = [];
		for (let i = 0; i < 7; i++) statuses.push((await send("198.51.100.10")).status);
		expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
		expect(statuses.slice(5)).toEqual([429, 429]);
		const refused = await send("198.51.100.10");
		expect(refused.headers.get("Retry-After")).toBe("60");
		expect(await refused.json()).toMatchObject({ success: false, code: "RATE_LIMITED", retryAfter: 60 });
		// Another address is not affected; neither is a request that did not come through Cloudflare.
		expect((await send("198.51.100.11")).status).toBe(200);
		expect((await post("/api/customers/send-otp", registration(uniquePhone(AREA)))).status).toBe(200);
	});

	it("caps an address per hour across locations, for every sending route, malformed requests included", async () => {
		const call = limitedApp({ IP_SENDS_PER_HOUR: "3", IP_SENDS_PER_DAY: "100" });
		const ip = "203.0.113.50";
		expect((await call("/api/customers/send-otp", registration(uniquePhone(AREA)), ip)).status).toBe(200);
		expect((await call("/api/customers/resend-otp", { phone: uniquePhone(AREA) }, ip)).status).toBe(404);
		expect((await call("/api/customers/send-otp", { name: "no phone" }, ip)).status).toBe(400);
		const phone = uniquePhone(AREA);
		const refused = await call("/api/customers/send-otp", registration(phone), ip);
		expect(refused.status).toBe(429);
		expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(3000);
		expect(await refused.json()).toMatchObject({ code: "RATE_LIMITED" });
		expect(await smsTo(phone)).toEqual([]);
		expect((await call("/api/customers/password-reset/send-otp", { phone }, ip)).status).toBe(429);
		expect((await call("/api/customers/send-otp", registration(phone), "203.0.113.51")).status).toBe(200);
	});

	// What an ISP typically hands one customer is a /56: hopping between its /64s is no new network.
	it("caps an address per day, and counts an IPv6 /56 as one address", async () => {
		const call = limitedApp({ IP_SENDS_PER_HOUR: "100", IP_SENDS_PER_DAY: "2" });
		const sendFrom = (ip: string) => call("/api/customers/send-otp", registration(uniquePhone(AREA)), ip);
		expect((await sendFrom("2001:db8:5:600::1")).status).toBe(200);
		expect((await sendFrom("2001:db8:5:601::2")).status).toBe(200);
		const refused = await sendFrom("2001:db8:5:6ff:ffff::9");
		expect(refused.status).toBe(429);
		expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(22 * 3600);
		expect((await sendFrom("2001:db8:5:700::1")).status).toBe(200);
	});

	it("a refused burst takes nothing from the hourly and daily caps", async () => {
		const blocked = limitedApp({ IP_SENDS_PER_HOUR: "1", IP_SENDS_PER_DAY: "1" }, false);
		const ip = "203.0.113.60";
		for (let i = 0; i < 3; i++)
			expect((await blocked("/api/customers/send-otp", registration(uniquePhone(AREA)), ip)).status).toBe(429);
		const open = limitedApp({ IP_SENDS_PER_HOUR: "1", IP_SENDS_PER_DAY: "1" });
		expect((await open("/api/customers/send-otp", registration(uniquePhone(AREA)), ip)).status).toBe(200);
	});

	it("frees an address once its hour has passed", async () => {
		const call = limitedApp({ IP_SENDS_PER_HOUR: "1", IP_SENDS_PER_DAY: "100" });
		const ip = "203.0.113.80";
		const hourly = counterStub(`ip-hour:${ip}`);
		const T0 = Date.UTC(2030, 0, 1);
		const at = (ms: number) => moveObjectClock(hourly, ms);
		await at(T0);
		expect((await call("/api/customers/send-otp", registration(uniquePhone(AREA)), ip)).status).toBe(200);
		expect((await call("/api/customers/send-otp", registration(uniquePhone(AREA)), ip)).status).toBe(429);
		await at(T0 + 3_600_000 + 60_000);
		expect((await call("/api/customers/send-otp", registration(uniquePhone(AREA)), ip)).status).toBe(200);
	});

	it("switches off with IP_RATE_LIMITS=off (a load test from one address)", async () => {
		const call = limitedApp({ IP_RATE_LIMITS: "off", IP_SENDS_PER_HOUR: "1" }, false);
		for (let i = 0; i < 3; i++)
			expect((await call("/api/customers/send-otp", registration(uniquePhone(AREA)), "203.0.113.70")).status).toBe(200);
	});
});
