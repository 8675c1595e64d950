import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { login } from "../../support/api";
import { setClock } from "../../support/objects";
import { lastCode } from "../../support/outbox";
import { registeredCustomer, sendOtp, verifyOtp } from "../../support/registration";
import { customerRow, deleteMe, me, refresh, sessionRows } from "../../support/sessions";

const AREA = "623";
const WRONG = "not the password";

/** DELETE /me with any headers and a raw body. */
const rawDelete = (headers: Record<string, string>, body?: string) =>
	exports.default.fetch("http://localhost/api/customers/me", { method: "DELETE", headers, body });

async function expectStillThere(c: Awaited<ReturnType<typeof registeredCustomer>>) {
	expect(await customerRow(c.customerId)).toMatchObject({ id: c.customerId, phone: c.phone });
	expect((await me(c.accessToken)).status).toBe(200);
}

describe("deleting the account", () => {
	it("removes the customer and every session; the tokens die; email and phone are free again", async () => {
		const c = await registeredCustomer(AREA);
		const second = (await (await login({ email: c.email, password: c.password })).json()) as {
			accessToken: string;
			refreshToken: string;
		};
		expect(await sessionRows(c.customerId)).toHaveLength(2);

		const res = await deleteMe(c.accessToken, { password: c.password });
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ success: true, message: expect.any(String) });

		expect(await customerRow(c.customerId)).toBeNull();
		expect(await sessionRows(c.customerId)).toEqual([]);
		for (const tokens of [c, second]) {
			expect((await me(tokens.accessToken)).status).toBe(401);
			expect((await refresh(tokens.refreshToken)).status).toBe(401);
		}
		expect((await deleteMe(second.accessToken, { password: c.password })).status).toBe(401);
		expect((await login({ email: c.email, password: c.password })).status).toBe(401);

		// Past the cooldown of the first registration's code, the same email and phone register again.
		await setClock(c.phone, Date.now() + 31_000);
		expect((await sendOtp(c.phone)).status).toBe(200);
		const again = await verifyOtp(c.phone, await lastCode(c.phone));
		expect(again.status).toBe(201);
		const { customerId } = (await again.json()) as { customerId: number };
		expect(customerId).not.toBe(c.customerId);
		expect(await customerRow(customerId)).toMatchObject({ email: c.email, phone: c.phone });
		expect((await login({ email: c.email, password: c.password })).status).toBe(200);
	});

	it("leaves other customers alone", async () => {
		const a = await registeredCustomer(AREA);
		const b = await registeredCustomer(AREA);
		expect((await deleteMe(a.accessToken, { password: a.password })).status).toBe(200);
		await expectStillThere(b);
		expect(await sessionRows(b.customerId)).toHaveLength(1);
	});
});

describe("refusals", () => {
	it("refuses a wrong password and keeps the account", async () => {
		const c = await registeredCustomer(AREA);
		const res = await deleteMe(c.accessToken, { password: WRONG });
		expect(res.status).toBe(401);
		expect(await res.json()).toMatchObject({ success: false, code: "INVALID_CREDENTIALS" });
		await expectStillThere(c);
	});

	it("locks after 5 wrong passwords, even against the right one, and counts like sign-ins", async () => {
		const c = await registeredCustomer(AREA);
		for (let i = 0; i < 5; i++) expect((await deleteMe(c.accessToken, { password: WRONG })).status).toBe(401);
		const locked = await deleteMe(c.accessToken, { password: c.password });
		expect(locked.status).toBe(429);
		expect(Number(locked.headers.get("Retry-After"))).toBeGreaterThan(0);
		expect(await locked.json()).toMatchObject({ success: false, code: "RATE_LIMITED" });
		// The same counter as sign-in, for this client network (all requests without an address are one).
		expect((await login({ email: c.email, password: c.password })).status).toBe(429);
		// Another network is not locked.
		const elsewhere = { "CF-Connecting-IP": "100.64.23.1" };
		expect((await login({ email: c.email, password: c.password }, elsewhere)).status).toBe(200);
		await expectStillThere(c);
	});

	it("shares its count with failed sign-ins", async () => {
		const c = await registeredCustomer(AREA);
		for (let i = 0; i < 4; i++) expect((await login({ email: c.email, password: WRONG })).status).toBe(401);
		expect((await deleteMe(c.accessToken, { password: WRONG })).status).toBe(401);
		expect((await deleteMe(c.accessToken, { password: c.password })).status).toBe(429);
		await expectStillThere(c);
	});

	it("needs an access token", async () => {
		const c = await registeredCustomer(AREA);
		const res = await rawDelete({ "content-type": "application/json" }, JSON.stringify({ password: c.password }));
		expect(res.status).toBe(401);
		expect(await res.json()).toMatchObject({ success: false, code: "UNAUTHORIZED" });
		const forged = `${c.accessToken.slice(0, -4)}AAAA`;
		expect((await deleteMe(forged, { password: c.password })).status).toBe(401);
		expect((await deleteMe(c.refreshToken, { password: c.password })).status).toBe(401);
		await expectStillThere(c);
	});

	it("answers 415 to a body that is not JSON", async () => {
		const c = await registeredCustomer(AREA);
		const res = await rawDelete(
			{ authorization: `Bearer ${c.accessToken}`, "content-type": "text/plain" },
			`password=${c.password}`,
		);
		expect(res.status).toBe(415);
		expect(await res.json()).toMatchObject({ success: false, code: "UNSUPPORTED_MEDIA_TYPE" });
		await expectStillThere(c);
	});

	it("answers 400 without a password, and counts nothing", async () => {
		const c = await registeredCustomer(AREA);
		for (const body of [{}, { password: "" }, { password: 12345678 }]) {
			const res = await deleteMe(c.accessToken, body);
			expect(res.status).toBe(400);
			expect(await res.json()).toMatchObject({ code: "VALIDATION_ERROR", field: "password" });
		}
		const stub = env.LOGIN_THROTTLE.get(env.LOGIN_THROTTLE.idFromName(`customer:${c.customerId}`));
		const stored = await runInDurableObject(stub, async (_, state) => (await state.storage.list()).size);
		expect(stored).toBe(0);
		await expectStillThere(c);
	});
});
