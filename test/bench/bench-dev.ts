import { FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN, FAKE_FROM } from "../support/fake-twilio.ts";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.ts";

/** A password-hash cost the bench runs at. */
export interface ScryptCost {
	label: string;
	N: string;
	R: string;
	P: string;
}

export const PRODUCTION_SCRYPT: ScryptCost = {
	label: "production scrypt (N=32768, r=8, p=3)",
	N: "32768",
	R: "8",
	P: "3",
};
export const CHEAP_SCRYPT: ScryptCost = { label: "cheap scrypt (N=1024, r=8, p=1)", N: "1024", R: "8", P: "1" };

/**
 * `wrangler dev` of the bench Worker (wrangler.bench.toml: the production app
 * plus the baseline routes of bench-worker.ts), its SMS going to the fake
 * Twilio at `twilioUrl`. The limits are opened wide: a load test from one
 * address is not an attack, and the protection layers would stop it.
 */
export function startBenchDev(cost: ScryptCost, twilioUrl: string): Promise<WranglerDev> {
	return startWranglerDev({
		config: "test/bench/wrangler.bench.toml",
		logLevel: "warn",
		vars: {
			ENVIRONMENT: "development",
			OTP_SECRET: "bench-otp-secret-bench-otp-secret-0123456789",
			OTP_MAX_ATTEMPTS: "10",
			OTP_RESEND_COOLDOWN_SECONDS: "0",
			OTP_MAX_SENDS_PER_DAY: "1000",
			OTP_MAX_FAILED_VERIFICATIONS_PER_DAY: "1000",
			OTP_PHONE_MAX_SENDS_PER_DAY: "10000",
			OTP_PHONE_MAX_FAILED_PER_DAY: "10000",
			OTP_NETWORK_MAX_FAILED_PER_DAY: "100000",
			SMS_BUDGET_PER_HOUR: "0",
			SMS_PREFIX_GUARD: "off",
			IP_RATE_LIMITS: "off",
			SMS_BUDGET_PER_COUNTRY_PER_HOUR: "0",
			// Every request comes from one address: the network signal would count them all.
			SMS_SIGNAL_NETWORK_SENDS_PER_HOUR: "0",
			// The scenarios run in interleaved rounds: the account locked for "login refused"
			// must stay locked all run, and the attempts at it (each counted against the
			// address) must not lock the address the other sign-ins come from.
			LOGIN_LOCKOUT_SECONDS: "3600",
			LOGIN_IP_MAX_FAILURES: "10000",
			PASSWORD_SCRYPT_N: cost.N,
			PASSWORD_SCRYPT_R: cost.R,
			PASSWORD_SCRYPT_P: cost.P,
			TWILIO_API_BASE_URL: twilioUrl,
			TWILIO_ACCOUNT_SID: FAKE_ACCOUNT_SID,
			TWILIO_AUTH_TOKEN: FAKE_AUTH_TOKEN,
			TWILIO_PHONE_NUMBER: FAKE_FROM,
		},
	});
}
