import { parsePhoneNumberFromString } from "libphonenumber-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeIn } from "../support/fake-twilio.ts";
import { type Stack, startStack } from "../support/stack.ts";

/**
 * SMS pumping on the users' own calling code, over real HTTP: `wrangler dev`
 * with the shipped protection settings and the fake Twilio. A botnet asks for
 * codes to +1 876 numbers from a new address each time; people on other +1
 * area codes register meanwhile; the operator looks at the protected ranges.
 */

const ADMIN_API_TOKEN = "e2e-protection-admin-token-0123456789abcdef";

let stack: Stack | undefined;

beforeAll(async () => {
	stack = await startStack({
		OTP_SECRET: "e2e-protection-otp-secret-0123456789abcdef",
		ADMIN_API_TOKEN,
		// Cheap hashing keeps send-otp fast (development allows it).
		PASSWORD_SCRYPT_N: "1024",
		PASSWORD_SCRYPT_P: "1",
	});
});

afterAll(async () => {
	await stack?.stop();
});

function call(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
	if (!stack) throw new Error("the stack is not running");
	return fetch(`${stack.dev.url}${path}`, {
		method: init.method ?? (init.body === undefined ? "GET" : "POST"),
		headers: { "content-type": "application/json", ...init.headers },
		body: init.body === undefined ? undefined : JSON.stringify(init.body),
	});
}

const details = (phone: string, n: number) => ({
	name: `Person ${n}`,
	email: `person.${n}.${phone.slice(1)}@example.com`,
	phone,
	password: "a long enough passphrase",
});

/** `count` valid numbers of the NANP area `area`, each in an exchange of its own. */
function numbers(area: string, count: number): string[] {
	const found: string[] = [];
	for (let exchange = 200; found.length < count && exchange < 1000; exchange++) {
		const phone = `+1${area}${exchange}${String(1000 + exchange).slice(-4)}`;
		if (parsePhoneNumberFromString(phone)?.isValid()) found.push(phone);
	}
	return found;
}

/** The code of the latest SMS to `phone`, once the fake Twilio has it. */
async function codeFor(phone: string): Promise<string> {
	for (let i = 0; i < 50; i++) {
		const last = (await stack?.sms(phone))?.at(-1);
		if (last) return codeIn(last.body);
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`no SMS to ${phone}`);
}

describe("a same-code pumping attack over wrangler dev", () => {
	it("throttles the pumped range, lets people on other +1 ranges register, and shows the range to the operator", async () => {
		const pumped = numbers("876", 36);
		const people = [...numbers("415", 1), ...numbers("212", 1), ...numbers("646", 1)];
		const answers: { status: number; code?: string }[] = [];
		let n = 0;
		for (const [i, phone] of pumped.entries()) {
			// Now and then, someone real registers on another +1 range, from a network of their own.
			if (i % 12 === 6) {
				const person = people[n] as string;
				const from = { "cf-connecting-ip": `198.51.100.${++n}` };
				const sent = await call("/api/customers/send-otp", { body: details(person, n), headers: from });
				expect(sent.status).toBe(200);
				const { registrationId } = (await sent.json()) as { registrationId: string };
				const body = { phone: person, registrationId, otp: await codeFor(person) };
				expect((await call("/api/customers/verify-otp", { body, headers: from })).status).toBe(201);
			}
			const res = await call("/api/customers/send-otp", {
				body: details(phone, 100 + i),
				headers: { "cf-connecting-ip": `203.0.113.${i + 1}` },
			});
			answers.push({ status: res.status, code: ((await res.json()) as { code?: string }).code });
		}
		expect(n).toBe(3);

		// At most the range's room of unverified sends went out (half of it if the requests look suspect here).
		const sent = answers.filter((a) => a.status === 200).length;
		expect(sent).toBeGreaterThanOrEqual(5);
		expect(sent).toBeLessThanOrEqual(10);
		expect(answers.slice(sent).every((a) => a.status === 429 && a.code === "SMS_RANGE_THROTTLED")).toBe(true);
		let texted = 0;
		for (const phone of pumped) texted += (await stack?.sms(phone))?.length ?? 0;
		expect(texted).toBe(sent);

		const auth = { authorization: `Bearer ${ADMIN_API_TOKEN}` };
		const listing = await call("/api/admin/protection", { headers: auth });
		expect(listing.status).toBe(200);
		const { ranges } = (await listing.json()) as { ranges: Record<string, unknown>[] };
		expect(ranges.map((r) => r.range)).toEqual(["+1876"]);
		expect(ranges[0]).toMatchObject({
			// wrangler dev gives every request a request.cf (its country may not be Jamaica's): half the room.
			state: sent === 10 ? "throttled" : "throttled_suspect",
			reported: { state: "throttled" },
			unverified: sent,
			refusals: pumped.length - sent,
		});

		const stats = await call("/api/admin/sms-stats", { headers: auth });
		const { refusals } = (await stats.json()) as { refusals: { hour: { byCallingCode: Record<string, unknown> } } };
		expect(refusals.hour.byCallingCode["1"]).toEqual({
			total: pumped.length - sent,
			byReason: { range_throttled: pumped.length - sent },
		});

		// The operator lifts it: the range takes sends again.
		const unblocked = await call("/api/admin/protection/unblock", { body: { range: "+1876" }, headers: auth });
		expect(unblocked.status).toBe(200);
		const again = numbers("876", 40).at(-1) as string;
		const after = await call("/api/customers/send-otp", {
			body: details(again, 999),
			headers: { "cf-connecting-ip": "203.0.113.250" },
		});
		expect(after.status).toBe(200);
	});
});
