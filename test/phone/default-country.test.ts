import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config";
import { ApiError } from "../../src/errors/errors";
import { appWith, registration } from "../support/api";
import { smsTo } from "../support/outbox";

/** The app reading national numbers as `country`'s (or with no default when undefined). */
const appIn = (country: string | undefined, vars: Record<string, string> = {}) =>
	appWith({ DEFAULT_COUNTRY: country ?? "", ...vars });

describe("DEFAULT_COUNTRY", () => {
	it("reads a number typed in the national format as that country's", async () => {
		const send = appIn("GB");
		const res = await send("/api/customers/send-otp", registration("020 7946 0641", { email: "gb1@example.com" }));
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ phone: "+442079460641" });
		expect(await smsTo("+442079460641")).toHaveLength(1);
		// The same number in international form is the same phone: the cooldown holds.
		expect((await send("/api/customers/resend-otp", { phone: "+44 20 7946 0641" })).status).toBe(429);
	});

	it("leaves international numbers alone, and refuses what the country's plan cannot read", async () => {
		const send = appIn("GB");
		const intl = await send("/api/customers/send-otp", registration("+1 415 555 0642", { email: "us1@example.com" }));
		expect(await intl.json()).toMatchObject({ phone: "+14155550642" });
		const junk = await send("/api/customers/send-otp", registration("12345", { email: "junk@example.com" }));
		expect(junk.status).toBe(400);
		expect(await junk.json()).toMatchObject({ code: "VALIDATION_ERROR", field: "phone" });
	});

	it("reads a national number only as PHONE_VALIDATION allows: valid, or with `possible` possible", async () => {
		// A UK drama number: of a possible length, never valid.
		const typed = "07700 900504";
		const strict = await appIn("GB")("/api/customers/send-otp", registration(typed, { email: "gb4@example.com" }));
		expect(strict.status).toBe(400);
		expect(await strict.json()).toMatchObject({ code: "VALIDATION_ERROR", field: "phone" });
		const relaxed = appIn("GB", { PHONE_VALIDATION: "possible" });
		const res = await relaxed("/api/customers/send-otp", registration(typed, { email: "gb5@example.com" }));
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ phone: "+447700900504" });
	});

	it("without it, a national number is a validation error, as before", async () => {
		const res = await appIn(undefined)(
			"/api/customers/send-otp",
			registration("020 7946 0643", { email: "gb3@example.com" }),
		);
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ code: "VALIDATION_ERROR", field: "phone" });
	});

	it.each(["GBR", "XX", "1"])("refuses DEFAULT_COUNTRY=%j", (value) => {
		expect(() => parseConfig({ ENVIRONMENT: "development", DEFAULT_COUNTRY: value })).toThrow(ApiError);
	});

	it("reads a lower-case code", () => {
		expect(parseConfig({ ENVIRONMENT: "development", DEFAULT_COUNTRY: "gb" }).defaultCountry).toBe("GB");
	});
});
