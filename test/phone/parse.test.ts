import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import * as libphonenumber from "libphonenumber-js";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { registration } from "../helpers";

vi.mock("libphonenumber-js", async (importOriginal) => {
	const original = await importOriginal<typeof import("libphonenumber-js")>();
	return { ...original, parsePhoneNumberFromString: vi.fn(original.parsePhoneNumberFromString) };
});
const parses = vi.mocked(libphonenumber.parsePhoneNumberFromString);

// The Worker's modules were loaded before the mock: a fresh copy reads the counted parser.
let parsePhone: typeof import("../../src/phone/parse").parsePhone;
let phoneOf: typeof import("../../src/phone/parse").phoneOf;
let app: ReturnType<typeof import("../../src/app").createApp>;
let getConfig: typeof import("../../src/config/config").getConfig;
beforeAll(async () => {
	vi.resetModules();
	({ parsePhone, phoneOf } = await import("../../src/phone/parse"));
	app = (await import("../../src/app")).createApp();
	({ getConfig } = await import("../../src/config/config"));
});

let n = 0;
/** A valid GB mobile no other test of this file has parsed (so the cache has not seen it). */
const freshGbMobile = () => `+4474007${String(++n).padStart(5, "0")}`;

describe("parsePhone", () => {
	it("reads the facts of a number", () => {
		expect(parsePhone("+447400123456")).toEqual({
			e164: "+447400123456",
			callingCode: "44",
			country: "GB",
			countries: ["GB"],
			valid: true,
			possible: true,
			range: "+44740",
			block: "+4474001",
			masked: "+4474***3456",
		});
	});

	it("drops the national trunk 0 after the calling code: one number, one E.164", () => {
		expect(parsePhone("+4407400123456")?.e164).toBe("+447400123456");
		expect(parsePhone("+4402079460958")?.e164).toBe("+442079460958");
		// Where the 0 is part of the number (Italy), it stays.
		expect(parsePhone("+390612345678")?.e164).toBe("+390612345678");
	});

	it("reads a national number as the default country's", () => {
		expect(parsePhone("07400 123456", "GB")?.e164).toBe("+447400123456");
		expect(parsePhone("(415) 555-2671", "US")?.e164).toBe("+14155552671");
	});

	it("tells valid from merely possible", () => {
		// A NANP exchange never starts with 0; a UK drama number is of the right length but not in service.
		expect(parsePhone("+14150001234")).toMatchObject({ valid: false, possible: true });
		expect(parsePhone("+447700900501")).toMatchObject({ valid: false, possible: true });
		expect(parsePhone("+1415555267")).toMatchObject({ valid: false, possible: false });
	});

	it("lists every country a shared range may belong to, and none for a countryless range", () => {
		expect(parsePhone("+447700900123")).toMatchObject({ callingCode: "44", countries: ["GB", "GG", "IM", "JE"] });
		expect(parsePhone("+447700900123")?.country).toBeUndefined();
		expect(parsePhone("+88216123456")).toMatchObject({ callingCode: "882", countries: [], valid: true });
		expect(parsePhone("+883510012345")).toMatchObject({ callingCode: "883", countries: [], valid: true });
	});

	it("is null for what no numbering plan knows", () => {
		expect(parsePhone("+999123456789")).toBeNull();
		expect(parsePhone("not a phone", "GB")).toBeNull();
	});
});

describe("phoneOf", () => {
	it("gives a number no plan knows calling code unknown, no country, and neither valid nor possible", () => {
		expect(phoneOf("+999123456789")).toEqual({
			e164: "+999123456789",
			callingCode: "unknown",
			countries: [],
			valid: false,
			possible: false,
			range: "+999123",
			block: "+99912345",
			masked: "+9991***6789",
		});
	});
});

describe("one parse per number", () => {
	it("parses a number once, whichever spelling came first", () => {
		const phone = freshGbMobile();
		const trunk = phone.replace("+44", "+440");
		parses.mockClear();
		expect(parsePhone(trunk)?.e164).toBe(phone);
		expect(parsePhone(phone)?.e164).toBe(phone);
		expect(phoneOf(phone).range).toBe("+44740");
		expect(parsePhone(trunk)?.e164).toBe(phone);
		expect(parses).toHaveBeenCalledTimes(1);
	});

	it("remembers a national reading under its E.164", () => {
		const phone = freshGbMobile();
		parses.mockClear();
		expect(parsePhone(`0${phone.slice(3)}`, "GB")?.e164).toBe(phone);
		expect(phoneOf(phone).country).toBe("GB");
		expect(parses).toHaveBeenCalledTimes(1);
	});

	it("remembers what it could not read", () => {
		parses.mockClear();
		expect(phoneOf("+999000000001").callingCode).toBe("unknown");
		expect(phoneOf("+999000000001").callingCode).toBe("unknown");
		expect(parses).toHaveBeenCalledTimes(1);
	});
});

describe("a request parses its phone once", () => {
	/** The libphonenumber parses the Worker made for one request (its Durable Objects keep their own cache). */
	async function parsesFor(path: string, body: unknown, vars: Record<string, string> = {}): Promise<number> {
		const bindings = { ...env, ...vars };
		// The config is read once per env, not per request (its test numbers are normalised then).
		getConfig(bindings);
		const ctx = createExecutionContext();
		parses.mockClear();
		const res = await app.request(
			path,
			{ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
			bindings,
			ctx,
		);
		await waitOnExecutionContext(ctx);
		expect(res.status, await res.text()).toBeLessThan(500);
		return parses.mock.calls.length;
	}

	it("send-otp: the validator, the validity rule and the log line share one parse", async () => {
		const phone = freshGbMobile();
		const typed = phone.replace("+44", "+44 0");
		expect(await parsesFor("/api/customers/send-otp", registration(phone, { phone: typed }))).toBe(1);
	});

	it("a national number with DEFAULT_COUNTRY: the middleware's parse is the validator's", async () => {
		const phone = freshGbMobile();
		const body = registration(phone, { phone: `0${phone.slice(3)}` });
		expect(await parsesFor("/api/customers/send-otp", body, { DEFAULT_COUNTRY: "GB" })).toBe(1);
	});

	it("password-reset/send-otp: the country policy reads the same parse", async () => {
		expect(await parsesFor("/api/customers/password-reset/send-otp", { phone: freshGbMobile() })).toBe(1);
	});

	it("login by phone", async () => {
		const body = { phone: freshGbMobile(), password: "not anyone's password" };
		expect(await parsesFor("/api/customers/login", body)).toBe(1);
	});
});
