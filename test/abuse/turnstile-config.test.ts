import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config";
import { configErrorMessage, development, production } from "../support/config-fixtures";

/** TURNSTILE_SITE_KEY, TURNSTILE_MODE and TURNSTILE_SCRIPT_URL, beside the secret they go with. */

const SECRET = "0x4AAAAAAAProductionSecretKey0000000";
const SITE_KEY = "0x4AAAAAAABkMYinukE8nzY";
const both = { TURNSTILE_SECRET_KEY: SECRET, TURNSTILE_SITE_KEY: SITE_KEY };

describe("the Turnstile widget's settings", () => {
	it("default to mode always and Cloudflare's script, with no site key", () => {
		const { turnstile } = parseConfig(development({ TURNSTILE_SECRET_KEY: SECRET }));
		expect(turnstile).toMatchObject({
			mode: "always",
			scriptUrl: "https://challenges.cloudflare.com/turnstile/v0/api.js",
		});
		expect(turnstile?.siteKey).toBeUndefined();
		// Empty values, as wrangler.toml ships them, are unset.
		const blank = parseConfig(
			development({
				TURNSTILE_SECRET_KEY: SECRET,
				TURNSTILE_SITE_KEY: "",
				TURNSTILE_MODE: "",
				TURNSTILE_SCRIPT_URL: "",
			}),
		);
		expect(blank.turnstile).toEqual(turnstile);
	});

	it("are read as set, and go with the siteverify settings", () => {
		const { turnstile } = parseConfig(
			production({
				...both,
				TURNSTILE_MODE: "pressure",
				TURNSTILE_SCRIPT_URL: "https://widgets.example.com/turnstile/v0/api.js",
				TURNSTILE_EXPECTED_HOSTNAME: "verify.example.com",
			}),
		);
		expect(turnstile).toEqual({
			secretKey: SECRET,
			verifyUrl: "https://challenges.cloudflare.com/turnstile/v0/siteverify",
			timeoutMs: 5000,
			expectedHostname: "verify.example.com",
			mode: "pressure",
			siteKey: SITE_KEY,
			scriptUrl: "https://widgets.example.com/turnstile/v0/api.js",
		});
	});

	it("mean nothing without the secret: no bot check, no widget", () => {
		expect(parseConfig(development({ TURNSTILE_MODE: "pressure" })).turnstile).toBeUndefined();
	});

	it.each([
		["TURNSTILE_MODE", "sometimes", "TURNSTILE_MODE must be always or pressure"],
		["TURNSTILE_SITE_KEY", "0x4AAA<script>", "TURNSTILE_SITE_KEY must be a Turnstile sitekey"],
		["TURNSTILE_SCRIPT_URL", "not a url", "TURNSTILE_SCRIPT_URL must be a URL"],
		["TURNSTILE_SCRIPT_URL", "javascript:alert(1)", "TURNSTILE_SCRIPT_URL must be an http or https URL"],
		["TURNSTILE_SCRIPT_URL", "ftp://files.example.com/api.js", "TURNSTILE_SCRIPT_URL must be an http or https URL"],
	])("refuse %s=%j in every environment, without quoting it", (name, value, message) => {
		for (const env of [development(both), production(both)]) {
			const problems = configErrorMessage({ ...env, [name]: value });
			expect(problems).toContain(message);
			expect(problems).not.toContain(value);
		}
	});

	it("refuse a site key without the secret, in every environment: nothing would check its tokens", () => {
		for (const env of [development(), production()]) {
			const problems = configErrorMessage({ ...env, TURNSTILE_SITE_KEY: SITE_KEY });
			expect(problems).toContain("TURNSTILE_SECRET_KEY is required once TURNSTILE_SITE_KEY is set");
			expect(problems).not.toContain(SITE_KEY);
		}
	});

	it("refuse the secret without a site key in production only: the pages could not show the widget", () => {
		expect(configErrorMessage(production({ TURNSTILE_SECRET_KEY: SECRET }))).toBe(
			"Invalid configuration: TURNSTILE_SITE_KEY is required in production once TURNSTILE_SECRET_KEY is set: the pages need it to show the widget",
		);
		// Outside production the API alone can be tested with a secret.
		expect(parseConfig(development({ TURNSTILE_SECRET_KEY: SECRET })).turnstile?.secretKey).toBe(SECRET);
		expect(parseConfig(production(both)).turnstile?.siteKey).toBe(SITE_KEY);
	});

	it("refuse a script over plain http in production, and allow it in development and tests (a local stand-in)", () => {
		const local = { ...both, TURNSTILE_SCRIPT_URL: "http://127.0.0.1:8788/turnstile/v0/api.js" };
		expect(configErrorMessage(production(local))).toBe(
			"Invalid configuration: TURNSTILE_SCRIPT_URL must be an https URL in production",
		);
		for (const ENVIRONMENT of ["development", "test"])
			expect(parseConfig({ ...local, ENVIRONMENT }).turnstile?.scriptUrl).toBe(local.TURNSTILE_SCRIPT_URL);
	});
});
