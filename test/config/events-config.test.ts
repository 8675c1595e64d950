import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config";
import { DEV_EVENTS_SECRET } from "../../src/config/events-env";
import { configErrorMessage, development, production } from "../support/config-fixtures";

// The spec's test key: 24 bytes, the least accepted.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const URL = "https://hooks.example.com/edge-verify";
const bytes = (secret: string) => Uint8Array.from(atob(secret.slice(6)), (ch) => ch.charCodeAt(0));

describe("event webhook settings", () => {
	it("no EVENTS_WEBHOOK_URL (unset or empty): events are off, in every environment", () => {
		expect(parseConfig(production()).events).toBeUndefined();
		expect(parseConfig(production({ EVENTS_WEBHOOK_URL: "", EVENTS_WEBHOOK_SECRET: SECRET })).events).toBeUndefined();
		expect(parseConfig(development({ EVENTS_WEBHOOK_URL: " " })).events).toBeUndefined();
	});

	it("production: an https URL and a whsec_ secret; the key is the decoded base64", () => {
		const config = parseConfig(production({ EVENTS_WEBHOOK_URL: URL, EVENTS_WEBHOOK_SECRET: SECRET }));
		expect(config.events).toEqual({ url: URL, key: bytes(SECRET), timeoutMs: 15_000 });
		expect(config.events?.key).toHaveLength(24);
	});

	it("production refuses a URL without a secret, and a URL that is not https", () => {
		const message = configErrorMessage(production({ EVENTS_WEBHOOK_URL: URL }));
		expect(message).toContain("EVENTS_WEBHOOK_SECRET is required in production once EVENTS_WEBHOOK_URL is set");
		const http = configErrorMessage(
			production({ EVENTS_WEBHOOK_URL: "http://hooks.example.com/", EVENTS_WEBHOOK_SECRET: SECRET }),
		);
		expect(http).toContain("EVENTS_WEBHOOK_URL must be an https URL in production");
	});

	it.each([
		["no prefix", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
		["not base64", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!"],
		["bad padding", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS"],
		["under 24 bytes", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La"],
	])("refuses a secret with %s, without quoting it", (_, secret) => {
		const message = configErrorMessage(development({ EVENTS_WEBHOOK_URL: URL, EVENTS_WEBHOOK_SECRET: secret }));
		expect(message).toMatch(/EVENTS_WEBHOOK_SECRET must (be whsec_|decode to at least 24 bytes)/);
		expect(message).not.toContain(secret.slice(6, 20));
	});

	it("outside production: http is fine, and without a secret the development one signs", () => {
		const config = parseConfig(development({ EVENTS_WEBHOOK_URL: "http://127.0.0.1:8788/hook" }));
		expect(config.events).toEqual({
			url: "http://127.0.0.1:8788/hook",
			key: bytes(DEV_EVENTS_SECRET),
			timeoutMs: 15_000,
		});
		expect(new TextDecoder().decode(config.events?.key)).toBe("dev-only-events-secret-not-for-production");
	});

	it("EVENTS_WEBHOOK_TIMEOUT_MS: 1 to 30 seconds", () => {
		const at = (ms: string) => parseConfig(development({ EVENTS_WEBHOOK_URL: URL, EVENTS_WEBHOOK_TIMEOUT_MS: ms }));
		expect(at("30000").events?.timeoutMs).toBe(30_000);
		expect(configErrorMessage(development({ EVENTS_WEBHOOK_TIMEOUT_MS: "999" }))).toContain(
			"EVENTS_WEBHOOK_TIMEOUT_MS must be at least 1000",
		);
		expect(configErrorMessage(development({ EVENTS_WEBHOOK_URL: "ftp://x.example" }))).toContain(
			"EVENTS_WEBHOOK_URL must be an http or https URL",
		);
	});
});
