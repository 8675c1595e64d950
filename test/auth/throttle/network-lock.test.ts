import { describe, expect, it } from "vitest";
import { statuses } from "../../support/answer";
import { login } from "../../support/api";
import { customerThrottledAt, rightFrom } from "../../support/login-throttle";
import { setThrottleClock } from "../../support/objects";
import type { Customer } from "../../support/registration";

const AREA = "626";
const T0 = Date.UTC(2030, 0, 1);
const WRONG = "not the password";
/** The stranger's network and the owner's. */
const A = "100.64.21.7";
const B = "100.64.21.8";

const wrongFrom = (ip: string, c: Customer) => login({ email: c.email, password: WRONG }, { "CF-Connecting-IP": ip });

const customerAtT0 = () => customerThrottledAt(AREA, T0);

describe("a stranger who knows the email", { timeout: 20_000 }, () => {
	it("locks only their own network: the owner signs in from another, and that does not unlock the stranger", async () => {
		const c = await customerAtT0();
		expect(await statuses(12, () => wrongFrom(A, c))).toEqual([401, 401, 401, 401, 401, ...Array(7).fill(429)]);
		const locked = await rightFrom(A, c);
		expect(locked.status).toBe(429);
		expect(locked.headers.get("Retry-After")).toBe("60");
		expect(await locked.json()).toMatchObject({ success: false, code: "RATE_LIMITED", retryAfter: 60 });

		const owner = await rightFrom(B, c);
		expect(owner.status).toBe(200);
		expect(await owner.json()).toMatchObject({ success: true, customer: { id: c.customerId } });

		// The owner's success reset the owner's network only.
		expect((await wrongFrom(A, c)).status).toBe(429);
		expect((await rightFrom(A, c)).status).toBe(429);
		// And the owner's network has its own five failures before any lock.
		expect(await statuses(5, () => wrongFrom(B, c))).toEqual([401, 401, 401, 401, 401]);
		expect((await rightFrom(B, c)).status).toBe(429);
	});

	it("cannot hop between the /64s of one IPv6 /56: they are one network", async () => {
		const c = await customerAtT0();
		const hops = ["2001:db8:6210:100::1", "2001:db8:6210:1ff::2", "2001:db8:6210:1a2::3", "2001:db8:6210:142::4"];
		for (const [i, ip] of [...hops, "2001:db8:6210:1fe::5"].entries())
			expect((await wrongFrom(ip, c)).status, `failure ${i + 1} from ${ip}`).toBe(401);
		expect((await rightFrom("2001:db8:6210:1ee:abcd::9", c)).status).toBe(429);
		expect((await rightFrom("2001:db8:6210:200::1", c)).status).toBe(200);
	});

	it("an unknown account answers the same from both networks as a known one", async () => {
		const known = await customerAtT0();
		const unknown = { email: `nobody-${known.customerId}-${AREA}@example.com` };
		await setThrottleClock(`unknown:${unknown.email}`, T0);
		const from = (ip: string, email: string) => login({ email, password: WRONG }, { "CF-Connecting-IP": ip });
		const answers = async (email: string) => {
			const out: [number, string | null][] = [];
			for (const ip of [A, A, A, A, A, A, B]) {
				const res = await from(ip, email);
				out.push([res.status, res.headers.get("Retry-After")]);
			}
			return out;
		};
		const expected = [...Array(5).fill([401, null]), [429, "60"], [401, null]];
		expect(await answers(known.email)).toEqual(expected);
		expect(await answers(unknown.email)).toEqual(expected);
	});
});
