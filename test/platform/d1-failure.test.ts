import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hashPassword } from "../../src/auth/passwords";
import { login, PASSWORD, post, registration, uniquePhone } from "../support/api";
import { argumentTexts, captureLogs, type LogCapture } from "../support/log-capture";
import { lastCode } from "../support/outbox";
import { registeredCustomer, sendOtp } from "../support/registration";

/**
 * When D1 fails, Drizzle's error text carries the query's parameters (emails,
 * phone numbers, password hashes). Log lines must carry the driver's own
 * message instead, and nothing of the parameters.
 */

const AREA = "702";

afterEach(() => {
	vi.restoreAllMocks();
});

/** Runs `during` with the table renamed away, so every query on it fails; renames it back whatever happens. */
async function withoutTable<T>(table: string, during: () => Promise<T>): Promise<T> {
	await env.DB.exec(`ALTER TABLE ${table} RENAME TO ${table}_away`);
	try {
		return await during();
	} finally {
		await env.DB.exec(`ALTER TABLE ${table}_away RENAME TO ${table}`);
	}
}

/** Every captured text holding one of `values` (a phone also as its digits, not inside a longer number). */
function leaks(logs: LogCapture, values: Record<string, string>): string[] {
	const texts = argumentTexts(logs.calls());
	expect(texts.length).toBeGreaterThan(0);
	const found = (text: string, value: string) =>
		/^\+\d+$/.test(value)
			? text.includes(value) || new RegExp(`(?<![0-9])${value.slice(2)}(?![0-9])`).test(text)
			: text.toLowerCase().includes(value.toLowerCase());
	return Object.entries(values).flatMap(([label, value]) =>
		texts.filter((text) => found(text, value)).map((text) => `${label} in: ${text}`),
	);
}

/** Drizzle's rendering of the parameters, and any password hash. */
const DRIZZLE_TEXT = { "Drizzle's params": "params:", "a password hash": "$scrypt$" };

describe("a D1 failure is logged by the driver's message, without the query's parameters", () => {
	it("send-otp without the customers table: 500 INTERNAL_ERROR, no email or phone in any line", async () => {
		const phone = uniquePhone(AREA);
		const email = `d1.failure.${crypto.randomUUID().slice(0, 8)}@example.com`;
		const logs = captureLogs();
		const res = await withoutTable("customers", () => post("/api/customers/send-otp", registration(phone, { email })));
		expect(res.status).toBe(500);
		expect(await res.json()).toMatchObject({ code: "INTERNAL_ERROR", message: "Something went wrong on our side" });
		expect(leaks(logs, { email, phone, ...DRIZZLE_TEXT })).toEqual([]);
		const [line] = logs.events("request_failed");
		expect(String(line?.error)).toMatch(/^Error: no such table: customers: SQLITE_ERROR\n/);
	});

	it("a sign-in whose re-hash cannot be stored: 500, no password hash or email in any line", async () => {
		const customer = await registeredCustomer(AREA);
		const old = await hashPassword(PASSWORD, { N: 512, r: 8, p: 1 });
		await env.DB.prepare("UPDATE customers SET password_hash = ? WHERE id = ?").bind(old, customer.customerId).run();
		await env.DB.exec(
			"CREATE TRIGGER customers_frozen BEFORE UPDATE ON customers BEGIN SELECT RAISE(ABORT, 'customers are frozen'); END",
		);
		const logs = captureLogs();
		let res: Response;
		try {
			res = await login({ email: customer.email, password: PASSWORD });
		} finally {
			await env.DB.exec("DROP TRIGGER customers_frozen");
		}
		expect(res.status).toBe(500);
		expect(leaks(logs, { email: customer.email, phone: customer.phone, ...DRIZZLE_TEXT })).toEqual([]);
		const [line] = logs.events("request_failed");
		expect(String(line?.error)).toContain("customers are frozen");
	});

	it("verify-otp without the customers table: 503, no email, phone or password hash in any line", async () => {
		const phone = uniquePhone(AREA);
		const email = `d1.verify.${crypto.randomUUID().slice(0, 8)}@example.com`;
		expect((await sendOtp(phone, { email })).status).toBe(200);
		const code = await lastCode(phone);
		const logs = captureLogs();
		const res = await withoutTable("customers", () => post("/api/customers/verify-otp", { phone, otp: code }));
		expect(res.status).toBe(503);
		expect(leaks(logs, { email, phone, ...DRIZZLE_TEXT })).toEqual([]);
		expect(logs.lines().some((l) => String(l.error).includes("no such table: customers"))).toBe(true);
	});

	it("a session that cannot be stored after registration logs the driver's message alone", async () => {
		const phone = uniquePhone(AREA);
		expect((await sendOtp(phone)).status).toBe(200);
		const code = await lastCode(phone);
		const logs = captureLogs();
		const res = await withoutTable("sessions", () => post("/api/customers/verify-otp", { phone, otp: code }));
		expect(res.status).toBe(201);
		expect(await res.json()).not.toHaveProperty("refreshToken");
		const [line] = logs.events("session_after_registration_failed");
		expect(line?.error).toBe("no such table: sessions: SQLITE_ERROR");
	});
});
