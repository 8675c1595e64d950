import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { createFakeResend, FAKE_RESEND_KEY } from "./test/support/fake-resend.ts";
import { createFakeTurnstile } from "./test/support/fake-turnstile.ts";
import { createFakeTwilio, FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN, FAKE_FROM } from "./test/support/fake-twilio.ts";
import { TEST_SIGNING_KEYS } from "./test/support/signing-keys.ts";

/** Where the Worker under test believes Twilio lives; answered by the fake. */
const TWILIO_HOST = "twilio.test";
/** Where Turnstile's siteverify lives for tests that switch the bot check on. */
const TURNSTILE_HOST = "turnstile.test";
/** Where the Worker under test believes Resend lives. */
const RESEND_HOST = "resend.test";
/** Where the Worker believes it is reachable; Twilio status callbacks are signed for this origin. */
const PUBLIC_BASE_URL = "https://verify.example.com";

export default defineConfig(async () => {
	const migrations = await readD1Migrations("migrations");
	const twilio = createFakeTwilio({ hangMs: 2_000 });
	const turnstile = createFakeTurnstile();
	const resend = createFakeResend({ hangMs: 2_000 });
	return {
		test: {
			projects: [
				{
					plugins: [
						cloudflareTest({
							wrangler: { configPath: "./wrangler.toml" },
							miniflare: {
								bindings: {
									ENVIRONMENT: "test",
									TEST_MIGRATIONS: migrations,
									OTP_SECRET: "test-otp-secret-test-otp-secret-0123456789",
									JWT_SIGNING_KEYS: TEST_SIGNING_KEYS,
									JWT_REFRESH_SECRET: "test-jwt-refresh-secret-test-jwt-refresh-0123",
									TWILIO_API_BASE_URL: `http://${TWILIO_HOST}`,
									TWILIO_ACCOUNT_SID: FAKE_ACCOUNT_SID,
									TWILIO_AUTH_TOKEN: FAKE_AUTH_TOKEN,
									TWILIO_PHONE_NUMBER: FAKE_FROM,
									TWILIO_TIMEOUT_MS: "300",
									// Cheap hashing keeps the suite fast; the production cost has its own test.
									PASSWORD_SCRYPT_N: "1024",
									PASSWORD_SCRYPT_R: "8",
									PASSWORD_SCRYPT_P: "1",
									// Cuba and the +882 networks are blocked, so a +53 and a +882 number show the country policy end to end.
									SMS_BLOCKED_COUNTRIES: "CU,882",
									// The range guard's fast feedback would throttle the unverified sends of the tests of
									// other rules; its own tests build the app with the shipped room (range-guard tests).
									SMS_RANGE_UNVERIFIED: "100000",
									SMS_BLOCK_UNVERIFIED: "100000",
									SMS_RANGE_UNVERIFIED_MAX: "100000",
									TEST_PHONE_NUMBERS: "+15005550199:123456,+447700900123:654321",
									PUBLIC_BASE_URL,
									RESEND_API_BASE_URL: `http://${RESEND_HOST}`,
									RESEND_API_KEY: FAKE_RESEND_KEY,
									EMAIL_FROM: "Acme <verify@acme.test>",
									EMAIL_FALLBACK_ENABLED: "true",
									EMAIL_TIMEOUT_MS: "300",
									ADMIN_API_TOKEN: "test-admin-token-test-admin-token-0123456789",
								},
								outboundService: (request: Request) => {
									const url = new URL(request.url);
									if (url.hostname === TWILIO_HOST) return twilio.fetch(request);
									if (url.hostname === TURNSTILE_HOST) return turnstile.fetch(request);
									if (url.hostname === RESEND_HOST) return resend.fetch(request);
									return new Response(`unexpected outbound request: ${request.url}`, { status: 599 });
								},
							},
						}),
					],
					test: {
						name: "workers",
						include: ["test/**/*.test.ts"],
						exclude: ["test/e2e/**", "test/browser/**", "test/scripts/**"],
						setupFiles: ["./test/setup/apply-migrations.ts"],
						silent: "passed-only",
					},
				},
				{
					test: {
						name: "browser",
						include: ["test/browser/**/*.browser.test.ts"],
						environment: "node",
						testTimeout: 120_000,
						hookTimeout: 180_000,
					},
				},
				{
					test: {
						name: "scripts",
						include: ["test/scripts/**/*.test.ts"],
						environment: "node",
						testTimeout: 30_000,
					},
				},
				{
					test: {
						name: "e2e",
						include: ["test/e2e/**/*.test.ts"],
						environment: "node",
						testTimeout: 120_000,
						hookTimeout: 120_000,
					},
				},
			],
		},
	};
});
