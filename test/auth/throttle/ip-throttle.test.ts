import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { UNKNOWN_NETWORK } from "../../../src/abuse/client-network";
import { createApp } from "../../../src/app";
import { parseConfig } from "../../../src/config/config";
import { login } from "../../support/api";
import { production } from "../../support/config-fixtures";
import { setThrottleClock } from "../../support/objects";
import { registeredCustomer } from "../../support/registration";

const AREA = "626";
const T0 = Date.UTC(2030, 0, 1);
const IP_LIMIT = 50;

let mailbox = 0;
/** An email no customer has, so no account lock gets in the way. */
const unknownEmail = () => `stranger-${AREA}-${++mailbox}@example.com`;

const fromIp = (ip: string, body: Record<string, unknown>) => login(body, { "CF-Connecting-IP": ip });
const guessFrom = (ip: string) => fromIp(ip, { email: unknownEmail(), password: "not the password" });

/** `n` wrong sign-ins, each at another unknown account, from the addresses in turn; their statuses. */
async function spray(ips: string[], n: number): Promise<number[]> {
	const out: number[] = [];
	for (let i = 0; i < n; i++) out.push((await guessFrom(ips[i % ips.length] as string)).status);
	return out;
}

const all = (status: number, n: number) => Array.from({ length: n }, () => status);

// Each test signs in 50 times or more, one after another: seconds of work, more on a busy machine.
describe("IP lock-out", { timeout: 30_000 }, () => {
	it("locks an address after 50 failures across accounts; other addresses are unaffected", async () => {
		const ip = "203.0.113.7";
		await setThrottleClock(`ip:${ip}`, T0);
		expect(await spray([ip], IP_LIMIT)).toEqual(all(401, IP_LIMIT));

		const locked = await guessFrom(ip);
		expect(locked.status).toBe(429);
		expect(locked.headers.get("Retry-After")).toBe("60");
		expect(await locked.json()).toMatchObject({ success: false, code: "RATE_LIMITED", retryAfter: 60 });

		expect((await guessFrom("203.0.113.8")).status).toBe(401);
		// Without CF-Connecting-IP only the account is counted.
		expect((await login({ email: unknownEmail(), password: "not the password" })).status).toBe(401);
	});

	it("refuses a locked address before the account: the right password fails there and counts nothing", async () => {
		const c = await registeredCustomer(AREA);
		const ip = "198.51.100.20";
		await spray([ip], IP_LIMIT);
		// Ten refusals at the IP would lock the account if they reached its count.
		for (let i = 0; i < 10; i++)
			expect((await fromIp(ip, { email: c.email, password: "not the password" })).status).toBe(429);
		expect((await fromIp(ip, { email: c.email, password: c.password })).status).toBe(429);
		expect((await fromIp("198.51.100.21", { email: c.email, password: c.password })).status).toBe(200);
	});

	// An ISP typically hands one customer a /56: its /64s are one network.
	it("counts every address of one IPv6 /56 together, whatever its /64, and no other /56", async () => {
		const sameNetwork = ["2001:db8:620:100::1", "2001:DB8:620:1ff:ffff:ffff:ffff:ffff", "2001:0db8:0620:0142::abcd"];
		expect(await spray(sameNetwork, IP_LIMIT)).toEqual(all(401, IP_LIMIT));
		const res = await guessFrom("2001:db8:620:1a0:1234::");
		expect(res.status).toBe(429);
		expect(await res.json()).toMatchObject({ code: "RATE_LIMITED" });
		expect((await guessFrom("2001:db8:620:200::1")).status).toBe(401);
	});

	it("a success refunds only its own attempt: the address stays one failure from the lock", async () => {
		const c = await registeredCustomer(AREA);
		const ip = "192.0.2.44";
		expect(await spray([ip], IP_LIMIT - 1)).toEqual(all(401, IP_LIMIT - 1));
		// The 50th attempt would lock the address; succeeding gives it back.
		expect((await fromIp(ip, { email: c.email, password: c.password })).status).toBe(200);
		expect((await fromIp(ip, { email: c.email, password: c.password })).status).toBe(200);
		// Not reset to zero either: the next failure is the 50th.
		expect((await guessFrom(ip)).status).toBe(401);
		expect((await guessFrom(ip)).status).toBe(429);
	});
});

describe("a request without an address in production", () => {
	it("counts under the shared key: the IP limit is never skipped", async () => {
		const bindings = {
			...env,
			...production({ PASSWORD_SCRYPT_N: "16384", PASSWORD_SCRYPT_P: "5", TEST_PHONE_NUMBERS: "" }),
		} as unknown as Env;
		const shared = env.LOGIN_THROTTLE.get(env.LOGIN_THROTTLE.idFromName(`ip:${UNKNOWN_NETWORK}`));
		const policy = parseConfig(bindings as unknown as Record<string, unknown>).login.ip;
		for (let i = 0; i < IP_LIMIT; i++) expect(await shared.admitIp(policy)).toBeNull();
		const res = await createApp().request(
			"/api/customers/login",
			{
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify({ email: unknownEmail(), password: "not the password" }),
			},
			bindings,
		);
		expect(res.status).toBe(429);
		expect(await res.json()).toMatchObject({ code: "RATE_LIMITED" });
	});
});
