import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseConfig, type SmsPolicy } from "../../src/config/config";
import { customerRepository } from "../../src/customers/customers.repository";
import { countryRefusal, numberOrigin } from "../../src/sms/country-policy";
import { answer, sendReset, verifyReset } from "../account/account-helpers";
import { configErrorMessage } from "../config-fixtures";
import { post, sendOtp, smsTo, storedChallenge, uniquePhone } from "../helpers";

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
		for (const phone of [US, GB, FR, UK_AMBIGUOUS, FREEPHONE]) expect(countryRefusal(phone, policy())).toBeNull();
	});

	it("refuses exactly the blocked countries", () => {
		const p = policy([], ["FR", "CU"]);
		expect(countryRefusal(FR, p)).toEqual(REFUSED);
		expect(countryRefusal("+5352123456", p)).toEqual(REFUSED);
		expect(countryRefusal(US, p)).toBeNull();
		expect(countryRefusal(DE, p)).toBeNull();
	});

	it("with an allow list, refuses every country not on it", () => {
		const p = policy(["US", "CA"]);
		expect(countryRefusal(US, p)).toBeNull();
		expect(countryRefusal(CA, p)).toBeNull();
		expect(countryRefusal(GB, p)).toEqual(REFUSED);
		expect(countryRefusal("+12425551234", p)).toEqual(REFUSED); // +1, but the Bahamas
	});

	it("a block list wins over an allow list", () => {
		expect(countryRefusal(US, policy(["US", "CA"], ["US"]))).toEqual(REFUSED);
		expect(countryRefusal(CA, policy(["US", "CA"], ["US"]))).toBeNull();
	});

	it("a number without a known country fails any allow list but passes a block list", () => {
		expect(countryRefusal(FREEPHONE, policy(["US"]))).toEqual(REFUSED);
		expect(countryRefusal("+999123456789", policy(["US"]))).toEqual(REFUSED);
		expect(countryRefusal(FREEPHONE, policy([], ["US", "CU"]))).toBeNull();
	});

	it("an ambiguous number passes an allow list only if every possible country is on it", () => {
		expect(countryRefusal(UK_AMBIGUOUS, policy(["GB"]))).toEqual(REFUSED);
		expect(countryRefusal(UK_AMBIGUOUS, policy(["GB", "GG", "IM", "JE"]))).toBeNull();
		expect(countryRefusal(UK_AMBIGUOUS, policy([], ["JE"]))).toEqual(REFUSED);
		expect(countryRefusal(UK_AMBIGUOUS, policy([], ["FR"]))).toBeNull();
	});

	it("reads the config lists case-insensitively, trimmed", () => {
		const { smsPolicy } = parseConfig({
			ENVIRONMENT: "development",
			SMS_ALLOWED_COUNTRIES: " us, Ca ,,",
			SMS_BLOCKED_COUNTRIES: "cu",
		});
		expect(smsPolicy).toMatchObject({ allowedCountries: ["US", "CA"], blockedCountries: ["CU"] });
		expect(countryRefusal(CA, smsPolicy)).toBeNull();
		expect(countryRefusal(GB, smsPolicy)).toEqual(REFUSED);
	});

	it.each(["USA", "U1", "US;CA"])("refuses the country list %j as a configuration error", (list) => {
		expect(configErrorMessage({ ENVIRONMENT: "development", SMS_BLOCKED_COUNTRIES: list })).toMatch(
			/SMS_BLOCKED_COUNTRIES must be comma-separated two-letter country codes/,
		);
		expect(configErrorMessage({ ENVIRONMENT: "development", SMS_ALLOWED_COUNTRIES: list })).toMatch(
			/SMS_ALLOWED_COUNTRIES/,
		);
	});
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
