import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashPassword } from "../../src/auth/passwords";
import { sessionRepository } from "../../src/auth/sessions.repository";
import { customerRepository } from "../../src/customers/repository";
import { login, PASSWORD } from "../support/api";
import { registeredCustomer } from "../support/registration";
import { storedHash } from "../support/sessions";

const AREA = "614";
const NOW = new Date("2026-11-23T10:00:00Z");

function row(customerId: number, id: string) {
	return {
		id,
		customerId,
		tokenHash: `hash-${id}`,
		createdAt: NOW,
		lastUsedAt: NOW,
		expiresAt: new Date(NOW.getTime() + 86_400_000),
		userAgent: "test",
		ipSummary: null,
	};
}

const sessionExists = async (id: string) =>
	(await env.DB.prepare("SELECT 1 FROM sessions WHERE id = ?").bind(id).first()) !== null;

/**
 * A sign-in checks the password, then stores its session. A password reset or
 * an account deletion committed in between must leave that sign-in without a
 * session: the insert is conditional on the hash that was checked.
 */
describe("the session insert is the race gate against a reset or a deletion", () => {
	it("stores the session while the checked hash is still the customer's", async () => {
		const { customerId } = await registeredCustomer(AREA);
		const repo = sessionRepository(env.DB);
		expect(await repo.create(row(customerId, "gate-current"), await storedHash(customerId), NOW)).toBe(true);
		expect(await sessionExists("gate-current")).toBe(true);
	});

	it("stores nothing once the password was changed after the check", async () => {
		const { customerId, phone } = await registeredCustomer(AREA);
		const checked = await storedHash(customerId);
		const changed = await hashPassword("another passphrase", { N: 1024, r: 8, p: 1 });
		expect(await customerRepository(env.DB).resetPassword(customerId, phone, changed, NOW)).toBe(true);
		expect(await sessionRepository(env.DB).create(row(customerId, "gate-stale"), checked, NOW)).toBe(false);
		expect(await sessionExists("gate-stale")).toBe(false);
	});

	it("stores nothing for a customer deleted after the check, hash given or not", async () => {
		const { customerId } = await registeredCustomer(AREA);
		const checked = await storedHash(customerId);
		await customerRepository(env.DB).delete(customerId);
		const repo = sessionRepository(env.DB);
		expect(await repo.create(row(customerId, "gate-deleted"), checked, NOW)).toBe(false);
		expect(await repo.create(row(customerId, "gate-deleted-2"), null, NOW)).toBe(false);
		expect(await sessionExists("gate-deleted")).toBe(false);
	});

	it("a sign-in that re-hashed the password still gets its session", async () => {
		const { customerId, email } = await registeredCustomer(AREA);
		const old = await hashPassword(PASSWORD, { N: 512, r: 8, p: 1 });
		await env.DB.prepare("UPDATE customers SET password_hash = ? WHERE id = ?").bind(old, customerId).run();
		const res = await login({ email, password: PASSWORD });
		expect(res.status).toBe(200);
		expect(await storedHash(customerId)).not.toBe(old);
	});
});
