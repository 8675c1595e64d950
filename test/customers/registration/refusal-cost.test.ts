import { describe, expect, it } from "vitest";
import { appWith, registration, uniquePhone } from "../../support/api";
import { lastCode } from "../../support/outbox";

/**
 * The password hash is the one costly step of send-otp (~250 ms of CPU at the
 * production cost), so a refused send must be refused before it. Here the hash
 * is made slower than production (N=2^16, r=8, p=2: N·r·p at workerd's limit), and each refusal
 * must take a small fraction of one accepted send.
 */
const AREA = "929";
const post = appWith({ PASSWORD_SCRYPT_N: "65536", PASSWORD_SCRYPT_R: "8", PASSWORD_SCRYPT_P: "2" });
const send = (phone: string, overrides = {}) => post("/api/customers/send-otp", registration(phone, overrides));

async function timed(request: () => Response | Promise<Response>): Promise<{ status: number; ms: number }> {
	const start = performance.now();
	const res = await request();
	await res.arrayBuffer();
	return { status: res.status, ms: performance.now() - start };
}

describe("refused sends cost no password hash", () => {
	it("refusals (cooldown, registered phone or email, bad input) take a fraction of an accepted send", async () => {
		const phone = uniquePhone(AREA);
		const accepted = await timed(() => send(phone));
		expect(accepted.status).toBe(200);
		expect(accepted.ms).toBeGreaterThan(100);

		const refusals = [await timed(() => send(phone))];
		expect(refusals[0]?.status).toBe(429);

		expect((await post("/api/customers/verify-otp", { phone, otp: await lastCode(phone) })).status).toBe(201);
		refusals.push(await timed(() => send(phone)));
		refusals.push(await timed(() => send(uniquePhone(AREA), { email: `${phone.slice(1)}@example.com` })));
		refusals.push(await timed(() => send(uniquePhone(AREA), { email: "not-an-email" })));
		expect(refusals.map((r) => r.status)).toEqual([429, 409, 409, 400]);
		for (const refusal of refusals) expect(refusal.ms).toBeLessThan(accepted.ms / 4);
	}, 30_000);
});
