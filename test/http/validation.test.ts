import { listDurableObjectIds } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { normalizePhone } from "../../src/customers/phone";
import { customerCount, lastCode, post, registration, smsTo, uniquePhone, wrongCode } from "../helpers";

const AREA = "212";
const ENDPOINTS = ["send-otp", "verify-otp", "resend-otp"] as const;
type Endpoint = (typeof ENDPOINTS)[number];

/** A valid body for each endpoint; each case breaks one thing. */
function validBody(endpoint: Endpoint, phone: string): Record<string, unknown> {
	if (endpoint === "send-otp") return registration(phone);
	if (endpoint === "verify-otp") return { phone, otp: "987650" };
	return { phone };
}

const FIELDS: Record<Endpoint, string[]> = {
	"send-otp": ["name", "email", "phone", "password"],
	"verify-otp": ["phone", "otp"],
	"resend-otp": ["phone"],
};

const url = (endpoint: Endpoint) => `http://localhost/api/customers/${endpoint}`;

interface Expected {
	status: number;
	code: string;
	/** The field named in the error; `undefined` means the body must have no `field`. */
	field?: string;
}

/** Strings from the request that an error must never echo: the password and the code. */
function secretsIn(body: unknown): string[] {
	if (typeof body !== "object" || body === null) return [];
	const { password, otp } = body as Record<string, unknown>;
	return [password, otp].filter((v): v is string => typeof v === "string" && v.trim().length >= 5);
}

/** What D1 and the Durable Objects hold, to compare before and after a refused request. */
async function snapshot() {
	return {
		customers: await customerCount(),
		objects: (await listDurableObjectIds(env.PHONE_CHALLENGE)).length,
	};
}

/** Sends `init` and checks the error shape, then that nothing was stored or texted. */
async function expectRefused(
	target: string,
	init: RequestInit,
	expected: Expected,
	phone?: string,
): Promise<Record<string, unknown>> {
	const before = await snapshot();
	const res = await exports.default.fetch(target, init);
	const text = await res.text();
	expect(res.status, text).toBe(expected.status);
	expect(res.headers.get("content-type")).toMatch(/^application\/json/);
	const body = JSON.parse(text) as Record<string, unknown>;
	expect(body).toMatchObject({ success: false, message: expect.any(String), code: expected.code });
	expect(String(body.message).length).toBeGreaterThan(0);
	expect(body.field).toBe(expected.field);
	for (const secret of secretsIn(parseOrNull(init.body))) expect(text).not.toContain(secret);

	expect(await snapshot()).toEqual(before);
	if (phone) expect(await smsTo(phone)).toEqual([]);
	return body;
}

function parseOrNull(body: unknown): unknown {
	try {
		return typeof body === "string" ? JSON.parse(body) : null;
	} catch {
		return null;
	}
}

const jsonInit = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
	method: "POST",
	headers: { "content-type": "application/json", ...headers },
	body: typeof body === "string" ? body : JSON.stringify(body),
});

/** Cases of one field set to `value` on every endpoint that has the field. */
function fieldCases(field: string, values: [label: string, value: unknown][]) {
	return ENDPOINTS.filter((e) => FIELDS[e].includes(field)).flatMap((endpoint) =>
		values.map(([label, value]) => ({ endpoint, field, label, value })),
	);
}

const WRONG_TYPES: [string, unknown][] = [
	["a number", 12345678],
	["null", null],
	["an array", ["x"]],
	["an object", { value: "x" }],
	["a boolean", true],
];

describe("missing and mistyped fields", () => {
	const missing = ENDPOINTS.flatMap((endpoint) => FIELDS[endpoint].map((field) => ({ endpoint, field })));

	it.each(missing)("$endpoint without $field → 400 naming $field", async ({ endpoint, field }) => {
		const phone = uniquePhone(AREA);
		const body = validBody(endpoint, phone);
		delete body[field];
		await expectRefused(url(endpoint), jsonInit(body), { status: 400, code: "VALIDATION_ERROR", field }, phone);
	});

	const mistyped = ENDPOINTS.flatMap((endpoint) =>
		FIELDS[endpoint].flatMap((field) => WRONG_TYPES.map(([label, value]) => ({ endpoint, field, label, value }))),
	);

	it.each(mistyped)("$endpoint with $field as $label → 400 naming $field", async ({ endpoint, field, value }) => {
		const phone = uniquePhone(AREA);
		const body = { ...validBody(endpoint, phone), [field]: value };
		await expectRefused(url(endpoint), jsonInit(body), { status: 400, code: "VALIDATION_ERROR", field }, phone);
	});

	it.each(ENDPOINTS.flatMap((endpoint) => FIELDS[endpoint].map((field) => ({ endpoint, field }))))(
		"$endpoint with $field empty → 400 naming $field",
		async ({ endpoint, field }) => {
			const phone = uniquePhone(AREA);
			const body = { ...validBody(endpoint, phone), [field]: "" };
			await expectRefused(url(endpoint), jsonInit(body), { status: 400, code: "VALIDATION_ERROR", field }, phone);
		},
	);

	it("an empty object names the first field and lists every missing one", async () => {
		const res = await post("/api/customers/send-otp", {});
		expect(res.status).toBe(400);
		const body = (await res.json()) as { field: string; message: string };
		expect(body.field).toBe("name");
		for (const field of FIELDS["send-otp"]) expect(body.message).toContain(`${field}: is required`);
	});
});

describe("bad values", () => {
	const badValues = [
		...fieldCases("name", [
			["blank", "   "],
			["101 characters", "x".repeat(101)],
			["a control character", "Ada\u0000Lovelace"],
		]),
		...fieldCases("email", [
			["without @", "ada.example.com"],
			["without a local part", "@example.com"],
			["without a domain", "ada@"],
			["without a TLD", "ada@example"],
			["with a space inside", "ada lovelace@example.com"],
			["with two @", "ada@lovelace@example.com"],
			["over 254 characters", `${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.com`],
		]),
		...fieldCases("phone", [
			["too short", "+1415555"],
			["too long", "+1415555267112345"],
			["with letters", "+1415555ABCD"],
			["with a leading 0", "04155552671"],
			["with 0 after the +", "+04155552671"],
			["only +", "+"],
			["without +", "14155552671"],
			["with a single leading 0 for 00", "0 415 555 2671"],
			["over 32 characters of spacing", `+1 415 555 2671${" ".repeat(30)}`],
		]),
		...fieldCases("password", [
			["7 characters", "abcdefg"],
			["129 characters", "p".repeat(129)],
			["7 emoji (14 UTF-16 units)", "😀".repeat(7)],
			["65 emoji + 64 letters (129 characters)", "😀".repeat(65) + "p".repeat(64)],
		]),
		...fieldCases("otp", [
			["5 digits", "98765"],
			["7 digits", "9876543"],
			["with a letter", "98765a"],
			["with a leading space", " 987654"],
			["with a trailing newline", "987654\n"],
			["in full-width digits", "９８７６５４"],
			["with a space inside", "987 654"],
			["negative", "-98765"],
		]),
	];

	it.each(badValues)("$endpoint with $field $label → 400 naming $field", async ({ endpoint, field, value }) => {
		const phone = uniquePhone(AREA);
		const body = { ...validBody(endpoint, phone), [field]: value };
		await expectRefused(url(endpoint), jsonInit(body), { status: 400, code: "VALIDATION_ERROR", field }, phone);
	});

	it("the error never echoes a password or code that failed validation", async () => {
		const phone = uniquePhone(AREA);
		const password = "Sh0rt!x";
		const res = await post("/api/customers/send-otp", registration(phone, { password }));
		expect(res.status).toBe(400);
		expect(await res.text()).not.toContain(password);
		const verify = await post("/api/customers/verify-otp", { phone, otp: "98765x" });
		expect(verify.status).toBe(400);
		expect(await verify.text()).not.toContain("98765x");
	});
});

describe("passwords that pass", () => {
	it.each([
		["8 characters", "abcdefgh"],
		["128 characters", "p".repeat(128)],
		["8 emoji, counted as 8 characters", "😀".repeat(8)],
		["128 emoji, counted as 128 characters", "😀".repeat(128)],
	])("%s", async (_, password) => {
		const phone = uniquePhone(AREA);
		const before = await snapshot();
		const res = await post("/api/customers/send-otp", registration(phone, { password }));
		expect(res.status, await res.clone().text()).toBe(200);
		expect(await smsTo(phone)).toHaveLength(1);
		// The same probes that find nothing after a refusal do see an accepted request.
		expect(await snapshot()).toEqual({ ...before, objects: before.objects + 1 });
	});
});

describe("the request body", () => {
	const refuseAll = (init: (phone: string, endpoint: Endpoint) => RequestInit, expected: Expected) =>
		it.each(ENDPOINTS)("%s", async (endpoint) => {
			const phone = uniquePhone(AREA);
			await expectRefused(url(endpoint), init(phone, endpoint), expected, phone);
		});

	describe("as text/plain → 415", () => {
		refuseAll(
			(phone, endpoint) => ({
				method: "POST",
				headers: { "content-type": "text/plain" },
				body: JSON.stringify(validBody(endpoint, phone)),
			}),
			{ status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
		);
	});

	describe("form-urlencoded → 415", () => {
		refuseAll(
			(phone, endpoint) => ({
				method: "POST",
				headers: { "content-type": "application/x-www-form-urlencoded" },
				body: new URLSearchParams(validBody(endpoint, phone) as Record<string, string>).toString(),
			}),
			{ status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
		);
	});

	describe("without a content type → 415", () => {
		refuseAll(
			(phone, endpoint) => {
				// Bytes, unlike a string, get no default content type.
				const init = { method: "POST", body: new TextEncoder().encode(JSON.stringify(validBody(endpoint, phone))) };
				expect(new Request(url(endpoint), init).headers.get("content-type")).toBeNull();
				return init;
			},
			{ status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
		);
	});

	it.each(["application/json; charset=utf-8", "Application/JSON", "application/vnd.api+json"])(
		"accepts %s",
		async (type) => {
			const phone = uniquePhone(AREA);
			const res = await post("/api/customers/send-otp", registration(phone), { "content-type": type });
			expect(res.status).toBe(200);
		},
	);

	it.each([
		["unclosed", "{"],
		["a trailing comma", '{"phone": "+12125550100",}'],
		["single quotes", "{'phone': '+12125550100'}"],
		["empty", ""],
		["a trailing garbage", '{"phone": "+12125550100"} x'],
	])("malformed JSON (%s) → 400 naming the body", async (_, raw) => {
		for (const endpoint of ENDPOINTS) {
			await expectRefused(url(endpoint), jsonInit(raw), { status: 400, code: "VALIDATION_ERROR", field: "body" });
		}
	});

	it.each([
		["an array", "[]"],
		["an array of the object", JSON.stringify([registration("+12125550100")])],
		["a string", '"hello"'],
		["null", "null"],
		["a number", "42"],
		["true", "true"],
	])("JSON that is %s → 400 naming the body", async (_, raw) => {
		for (const endpoint of ENDPOINTS) {
			const body = await expectRefused(url(endpoint), jsonInit(raw), {
				status: 400,
				code: "VALIDATION_ERROR",
				field: "body",
			});
			expect(body.message).toBe("body: must be a JSON object");
		}
	});

	it("allows unknown extra fields and ignores them", async () => {
		const phone = uniquePhone(AREA);
		const res = await post(
			"/api/customers/send-otp",
			registration(phone, { role: "admin", customerId: 1, phoneVerifiedAt: 0, nested: { a: [1] } }),
		);
		expect(res.status).toBe(200);
		const verified = await post("/api/customers/verify-otp", { phone, otp: await lastCode(phone), extra: true });
		expect(verified.status).toBe(201);
		const row = await env.DB.prepare("SELECT phone_verified_at FROM customers WHERE phone = ?")
			.bind(phone)
			.first<{ phone_verified_at: number }>();
		expect(row?.phone_verified_at).toBeGreaterThan(0);
	});
});

describe("the body size limit", () => {
	/** A send-otp body of exactly `bytes` bytes (the name pads it, so it is valid JSON but an invalid name). */
	function bodyOf(bytes: number, phone: string): string {
		const base = JSON.stringify(registration(phone, { name: "" }));
		const body = JSON.stringify(registration(phone, { name: "x".repeat(bytes - base.length) }));
		expect(new TextEncoder().encode(body).length).toBe(bytes);
		return body;
	}

	it("takes 16384 bytes (then validates), refuses 16385 with 413", async () => {
		const phone = uniquePhone(AREA);
		await expectRefused(
			url("send-otp"),
			jsonInit(bodyOf(16_384, phone)),
			{ status: 400, code: "VALIDATION_ERROR", field: "name" },
			phone,
		);
		await expectRefused(
			url("send-otp"),
			jsonInit(bodyOf(16_385, phone)),
			{ status: 413, code: "PAYLOAD_TOO_LARGE" },
			phone,
		);
	});

	it.each(ENDPOINTS)("refuses a %s body that declares more than 16 KB, without reading it", async (endpoint) => {
		const phone = uniquePhone(AREA);
		const init = jsonInit(validBody(endpoint, phone), { "content-length": "16385" });
		await expectRefused(url(endpoint), init, { status: 413, code: "PAYLOAD_TOO_LARGE" }, phone);
	});

	it("refuses a streamed body without content-length, reading only a little past the limit", async () => {
		const before = await snapshot();
		let produced = 0;
		const chunk = new TextEncoder().encode(" ".repeat(1024));
		const stream = new ReadableStream<Uint8Array>({
			pull(controller) {
				produced += chunk.byteLength;
				controller.enqueue(chunk);
				// Bounded only so a broken limit fails the test instead of hanging it.
				if (produced >= 8 * 1024 * 1024) controller.close();
			},
		});
		const request = new Request(url("send-otp"), {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: stream,
		});
		expect(request.headers.get("content-length")).toBeNull();
		const res = await exports.default.fetch(request);
		expect(res.status).toBe(413);
		expect(await res.json()).toMatchObject({ success: false, code: "PAYLOAD_TOO_LARGE" });
		expect(produced).toBeLessThan(256 * 1024);
		expect(await snapshot()).toEqual(before);
	});
});

describe("routes", () => {
	it.each([
		["POST", "/api/customers/register"],
		["POST", "/api/customers"],
		["POST", "/api/nope"],
		["GET", "/nope"],
		["GET", "/"],
		["PUT", "/api/customers/send-otp"],
		["PATCH", "/api/customers/verify-otp"],
		["DELETE", "/api/customers/resend-otp"],
	])("%s %s → 404 NOT_FOUND", async (method, path) => {
		const init: RequestInit =
			method === "GET" ? { method } : { method, headers: { "content-type": "application/json" }, body: "{}" };
		await expectRefused(`http://localhost${path}`, init, { status: 404, code: "NOT_FOUND" });
	});

	it.each(["GET", "DELETE", "OPTIONS"])(
		"%s without a body or content type on a route → 404, not 415",
		async (method) => {
			await expectRefused(url("send-otp"), { method }, { status: 404, code: "NOT_FOUND" });
		},
	);
});

describe("phone normalisation", () => {
	it.each([
		["+1 (415) 555-2671", "+14155552671"],
		["+1.415.555.2671", "+14155552671"],
		["001 415 555 2671", "+14155552671"],
		["+1-415-555-2671", "+14155552671"],
		["0044 20 7946 0958", "+442079460958"],
	])("normalizePhone(%j) is %s", (input, expected) => {
		expect(normalizePhone(input)).toBe(expected);
	});

	it("three spellings of one number reach the same registration", async () => {
		const phone = uniquePhone(AREA);
		const [area, exchange, line] = [phone.slice(2, 5), phone.slice(5, 8), phone.slice(8)];
		const spelled = {
			parens: `+1 (${area}) ${exchange}-${line}`,
			dots: `+1.${area}.${exchange}.${line}`,
			international: `001 ${area} ${exchange} ${line}`,
		};

		const sent = await post("/api/customers/send-otp", registration(phone, { phone: spelled.parens }));
		expect(sent.status).toBe(200);
		expect(await sent.json()).toMatchObject({ success: true, phone });
		const messages = await smsTo(phone);
		expect(messages).toHaveLength(1);

		// The same object answers: the cooldown of the first send holds, where another object would say 404.
		const resent = await post("/api/customers/resend-otp", { phone: spelled.dots });
		expect(resent.status).toBe(429);
		expect(await resent.json()).toMatchObject({ code: "RATE_LIMITED" });

		const verified = await post("/api/customers/verify-otp", {
			phone: spelled.international,
			otp: await lastCode(phone),
		});
		expect(verified.status).toBe(201);
		const row = await env.DB.prepare("SELECT phone FROM customers WHERE phone = ?").bind(phone).first();
		expect(row).toEqual({ phone });
	});
});

describe("email normalisation", () => {
	it("trims and lower-cases, so a second spelling of a registered email is taken", async () => {
		const first = uniquePhone(AREA);
		const password = "first customer's password";
		expect(
			(await post("/api/customers/send-otp", registration(first, { email: "  Ada@Example.COM ", password }))).status,
		).toBe(200);
		const code = await lastCode(first);
		const wrong = await post("/api/customers/verify-otp", { phone: first, otp: wrongCode(code) });
		expect(wrong.status).toBe(400);
		expect(await wrong.text()).not.toContain(code);
		expect((await post("/api/customers/verify-otp", { phone: first, otp: code })).status).toBe(201);
		const row = await env.DB.prepare("SELECT email FROM customers WHERE phone = ?").bind(first).first();
		expect(row).toEqual({ email: "ada@example.com" });

		for (const email of ["ada@example.com", "ADA@EXAMPLE.COM", "\tada@example.com\n"]) {
			const second = uniquePhone(AREA);
			await expectRefused(
				url("send-otp"),
				jsonInit(registration(second, { email, password })),
				{ status: 409, code: "CUSTOMER_EXISTS", field: "email" },
				second,
			);
		}
	});
});
