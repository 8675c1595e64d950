import type { OtpPolicy } from "../../src/config/config";

/** The OTP rules with the shipped defaults (wrangler.toml), for the pure rule tests. */
export const OTP_POLICY: OtpPolicy = {
	ttlMs: 300_000,
	maxAttempts: 3,
	cooldownMs: 30_000,
	maxSendsPerHour: 5,
	maxSendsPerDay: 10,
	maxFailedPerDay: 10,
	phoneMaxSendsPerDay: 30,
	phoneMaxFailedPerDay: 50,
	maxPendingPerPhone: 3,
	tombstoneMs: 3_600_000,
};
