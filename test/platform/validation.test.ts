import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { normalizePhone } from "../../src/phone/normalize";
import { jsonInit, post, registration, uniquePhone } from "../support/api";
import { lastCode, smsTo, wrongCode } from "../support/outbox";
import { ENDPOINTS, expectRefused, FIELDS, snapshot, url, validBody } from "../support/refusals";

const AREA = "212";

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
