import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countryRefusal } from "../../src/abuse/country-policy";
import { createApp } from "../../src/app";
import { parseConfig, type SmsPolicy } from "../../src/config/config";
import { customerRepository } from "../../src/customers/repository";
import { phoneOf } from "../../src/phone/parse";
import { answer } from "../support/answer";
import { post, uniquePhone } from "../support/api";
import { configErrorMessage } from "../support/config-fixtures";
import { storedChallenge } from "../support/objects";
import { smsTo } from "../support/outbox";
import { sendReset, verifyReset } from "../support/password-reset";
import { sendOtp } from "../support/registration";

const AREA = "630";
const US = "+14155552671";
const CA = "+16135550123";
const FR = "+33612345678";
const DE = "+4915112345678";
/** A valid UK number: GB for sure. */
const GB = "+442079460958";
/** A UK drama number: +44, but GB, GG, IM or JE as far as its digits tell. */
const UK_AMBIGUOUS = "+447700900123";
/** No country: the +800 international freephone code. */
const FREEPHONE = "+80012345678";
/** No country: international networks (+882, blocked by the test bindings) and (+883, not blocked). */
const NETWORK_882 = "+88216123456";
const NETWORK_883 = "+883510012345";

const policy = (allowed: string[] = [], blocked: string[] = []): SmsPolicy => ({
	allowedCountries: allowed,
	blockedCountries: blocked,
	budgetPerHour: 0,
	budgetPerCountryPerHour: 0,
	testNumbers: new Map(),
});

const REFUSED = { ok: false, code: "COUNTRY_NOT_ALLOWED", field: "phone" };

let cuban = 0;
/** A Cuban mobile number (blocked by the test bindings) no other test uses. */
const cubanPhone = () => `+53521${String(++cuban).padStart(5, "0")}`;

let network = 0;
/** A valid number of an international network, `+882 16…` or `+883 5100…`, no other test uses. */
const networkPhone = (code: "882" | "883") =>
	code === "882" ? `+88216${String(++network).padStart(6, "0")}` : `+8835100${String(++network).padStart(5, "0")}`;

/** Where a number lives, as far as its digits tell: the calling code always, the countries it may belong to. */
function numberOrigin(phone: string) {
	const { callingCode, countries } = phoneOf(phone);
	return { callingCode, countries: [...countries] };
}

describe("numberOrigin", () => {
	it.each([
		[US, "1", ["US"]],
		[CA, "1", ["CA"]],
		[GB, "44", ["GB"]],
		[FR, "33", ["FR"]],
		[DE, "49", ["DE"]],
		["+5352123456", "53", ["CU"]],
		["+79161234567", "7", ["RU"]],
		["+77012345678", "7", ["KZ"]],
	])("%s: calling code %s, countries %j", (phone, callingCode, countries) => {
		expect(numberOrigin(phone)).toEqual({ callingCode, countries });
	});

	it("lists every country a number could belong to when its digits do not pin one down", () => {
		expect(numberOrigin(UK_AMBIGUOUS)).toEqual({ callingCode: "44", countries: ["GB", "GG", "IM", "JE"] });
	});

	it("knows the calling code of a number without a country, and nothing of an unparsable one", () => {
		expect(numberOrigin(FREEPHONE)).toEqual({ callingCode: "800", countries: [] });
		expect(numberOrigin("+999123456789")).toEqual({ callingCode: "unknown", countries: [] });
	});
});

describe("countryRefusal", () => {
	it("refuses nothing without lists", () => {
		for (const phone of [US, GB, FR, UK_AMBIGUOUS, FREEPHONE])
			expect(countryRefusal(phoneOf(phone), policy())).toBeNull();
	});

	it("refuses exactly the blocked countries", () => {
		const p = policy([], ["FR", "CU"]);
		expect(countryRefusal(phoneOf(FR), p)).toEqual(REFUSED);
		expect(countryRefusal(phoneOf("+5352123456"), p)).toEqual(REFUSED);
		expect(countryRefusal(phoneOf(US), p)).toBeNull();
		expect(countryRefusal(phoneOf(DE), p)).toBeNull();
	});

	it("with an allow list, refuses every country not on it", () => {
		const p = policy(["US", "CA"]);
		expect(countryRefusal(phoneOf(US), p)).toBeNull();
		expect(countryRefusal(phoneOf(CA), p)).toBeNull();
		expect(countryRefusal(phoneOf(GB), p)).toEqual(REFUSED);
		expect(countryRefusal(phoneOf("+12425551234"), p)).toEqual(REFUSED); // +1, but the Bahamas
	});

	it("a block list wins over an allow list", () => {
		expect(countryRefusal(phoneOf(US), policy(["US", "CA"], ["US"]))).toEqual(REFUSED);
		expect(countryRefusal(phoneOf(CA), policy(["US", "CA"], ["US"]))).toBeNull();
	});

	it("a number without a known country fails any allow list but passes a block list", () => {
		expect(countryRefusal(phoneOf(FREEPHONE), policy(["US"]))).toEqual(REFUSED);
		expect(countryRefusal(phoneOf("+999123456789"), policy(["US"]))).toEqual(REFUSED);
		expect(countryRefusal(phoneOf(FREEPHONE), policy([], ["US", "CU"]))).toBeNull();
	});

	it("a calling code covers every number that dials it, countryless or not", () => {
		const p = policy([], ["882"]);
		expect(countryRefusal(phoneOf(NETWORK_882), p)).toEqual(REFUSED);
		expect(countryRefusal(phoneOf(NETWORK_883), p)).toBeNull();
		expect(countryRefusal(phoneOf(GB), p)).toBeNull();
		// +1 is many countries; blocking the code blocks them all.
		for (const phone of [US, CA, "+12425551234"])
			expect(countryRefusal(phoneOf(phone), policy([], ["1"]))).toEqual(REFUSED);
		expect(countryRefusal(phoneOf(UK_AMBIGUOUS), policy(["44"]))).toBeNull();
		expect(countryRefusal(phoneOf(GB), policy(["1"]))).toEqual(REFUSED);
	});

	it("an allow list refuses a countryless number unless its calling code is listed", () => {
		expect(countryRefusal(phoneOf(NETWORK_882), policy(["US", "GB"]))).toEqual(REFUSED);
		expect(countryRefusal(phoneOf(NETWORK_882), policy(["US", "882"]))).toBeNull();
		expect(countryRefusal(phoneOf(NETWORK_883), policy(["US", "882"]))).toEqual(REFUSED);
		expect(countryRefusal(phoneOf(US), policy(["US", "882"]))).toBeNull();
		// Blocking still wins.
		expect(countryRefusal(phoneOf(NETWORK_882), policy(["882"], ["882"]))).toEqual(REFUSED);
	});

	it("an ambiguous number passes an allow list only if every possible country is on it", () => {
		expect(countryRefusal(phoneOf(UK_AMBIGUOUS), policy(["GB"]))).toEqual(REFUSED);
		expect(countryRefusal(phoneOf(UK_AMBIGUOUS), policy(["GB", "GG", "IM", "JE"]))).toBeNull();
		expect(countryRefusal(phoneOf(UK_AMBIGUOUS), policy([], ["JE"]))).toEqual(REFUSED);
		expect(countryRefusal(phoneOf(UK_AMBIGUOUS), policy([], ["FR"]))).toBeNull();
	});

	it("reads the config lists case-insensitively, trimmed", () => {
		const { smsPolicy } = parseConfig({
			ENVIRONMENT: "development",
			SMS_ALLOWED_COUNTRIES: " us, Ca ,,",
			SMS_BLOCKED_COUNTRIES: "cu",
		});
		expect(smsPolicy).toMatchObject({ allowedCountries: ["US", "CA"], blockedCountries: ["CU"] });
		expect(countryRefusal(phoneOf(CA), smsPolicy)).toBeNull();
		expect(countryRefusal(phoneOf(GB), smsPolicy)).toEqual(REFUSED);
	});

	it("reads calling codes beside countries, a leading + dropped", () => {
		const { smsPolicy } = parseConfig({
			ENVIRONMENT: "development",
			SMS_ALLOWED_COUNTRIES: "us, 882, +883",
			SMS_BLOCKED_COUNTRIES: "1 ,cu",
		});
		expect(smsPolicy).toMatchObject({ allowedCountries: ["US", "882", "883"], blockedCountries: ["1", "CU"] });
	});

	it.each(["USA", "U1", "US;CA", "8821", "0", "+", "88 2"])(
		"refuses the country list %j as a configuration error",
		(list) => {
			expect(configErrorMessage({ ENVIRONMENT: "development", SMS_BLOCKED_COUNTRIES: list })).toMatch(
				/SMS_BLOCKED_COUNTRIES must be comma-separated two-letter country codes or calling codes/,
			);
			expect(configErrorMessage({ ENVIRONMENT: "development", SMS_ALLOWED_COUNTRIES: list })).toMatch(
				/SMS_ALLOWED_COUNTRIES/,
			);
		},
	);
});

describe("registration to a blocked country", () => {
	it("answers 403 COUNTRY_NOT_ALLOWED, sends nothing and stores nothing", async () => {
		const phone = cubanPhone();
		const res = await sendOtp(phone);
		expect(res.status).toBe(403);
		expect(await res.json()).toMatchObject({ success: false, code: "COUNTRY_NOT_ALLOWED", field: "phone" });
		expect(await smsTo(phone)).toEqual([]);
		expect(await storedChallenge(phone)).toBeNull();
	});

	it("lets the same request through from an allowed country, so the 403 is the country's doing", async () => {
		const phone = uniquePhone(AREA);
		const res = await sendOtp(phone);
		expect(res.status).toBe(200);
		expect(await smsTo(phone)).toHaveLength(1);
		expect(await storedChallenge(phone)).toMatchObject({ status: "pending" });
	});

	it("refuses again on every try, leaving no cooldown or count behind", async () => {
		const phone = cubanPhone();
		for (let i = 0; i < 3; i++) expect((await sendOtp(phone)).status).toBe(403);
		expect(await storedChallenge(phone)).toBeNull();
	});

	it("resend-otp to a blocked country finds nothing pending", async () => {
		const phone = cubanPhone();
		const res = await post("/api/customers/resend-otp", { phone });
		expect(res.status).toBe(404);
		expect(await storedChallenge(phone)).toBeNull();
	});
});

describe("countryless ranges over HTTP", () => {
	it("a blocked calling code (882, in the test bindings) answers 403 COUNTRY_NOT_ALLOWED and sends nothing", async () => {
		const phone = networkPhone("882");
		const res = await sendOtp(phone);
		expect(res.status).toBe(403);
		expect(await res.json()).toMatchObject({ success: false, code: "COUNTRY_NOT_ALLOWED", field: "phone" });
		expect(await smsTo(phone)).toEqual([]);
		expect(await storedChallenge(phone)).toBeNull();
	});

	it("another countryless range is not blocked by it", async () => {
		const phone = networkPhone("883");
		expect((await sendOtp(phone)).status).toBe(200);
		expect(await smsTo(phone)).toHaveLength(1);
	});

	/** password-reset/send-otp answers the country policy up front, with the config of `vars`. */
	async function resetWith(vars: Record<string, string>, phone: string): Promise<Response> {
		const ctx = createExecutionContext();
		const res = await createApp().request(
			"/api/customers/password-reset/send-otp",
			{ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ phone }) },
			{ ...env, ...vars },
			ctx,
		);
		await waitOnExecutionContext(ctx);
		return res;
	}

	it("an allow list refuses a countryless number unless its calling code is listed", async () => {
		const refused = await resetWith({ SMS_ALLOWED_COUNTRIES: "US,GB" }, networkPhone("883"));
		expect(refused.status).toBe(403);
		expect(await refused.json()).toMatchObject({ code: "COUNTRY_NOT_ALLOWED", field: "phone" });
		expect((await resetWith({ SMS_ALLOWED_COUNTRIES: "US,GB,883" }, networkPhone("883"))).status).toBe(200);
	});
});

describe("password reset to a blocked country", () => {
	async function cubanCustomer(): Promise<string> {
		const phone = cubanPhone();
		const at = new Date();
		const id = await customerRepository(env.DB).insert({
			name: "Registered before the block",
			email: `${phone.slice(1)}@example.com`,
			phone,
			passwordHash: "x",
			phoneVerifiedAt: at,
			createdAt: at,
		});
		expect(id).not.toBeNull();
		return phone;
	}

	it("texts nothing to a customer whose country was blocked after they registered", async () => {
		const phone = await cubanCustomer();
		await sendReset(phone);
		expect(await smsTo(phone)).toEqual([]);
		expect(await storedChallenge(phone, "reset")).toBeNull();
	});

	// The country depends on the number alone: refusing it up front tells nothing about an account.
	it("answers 403 COUNTRY_NOT_ALLOWED and stores nothing", async () => {
		const phone = cubanPhone();
		const res = await answer(await sendReset(phone));
		expect(await storedChallenge(phone, "reset")).toBeNull();
		expect(res).toMatchObject({ status: 403, body: { code: "COUNTRY_NOT_ALLOWED", field: "phone" } });
	});

	// A registered and an unknown blocked number must both hold nothing, or verify would tell them apart.
	it("verify answers alike for a registered and an unknown blocked number", async () => {
		const known = await cubanCustomer();
		const unknown = cubanPhone();
		await sendReset(known);
		await sendReset(unknown);
		const a = await answer(await verifyReset(known, "000000", "another long passphrase"));
		const b = await answer(await verifyReset(unknown, "000000", "another long passphrase"));
		expect(b).toEqual(a);
	});
});
