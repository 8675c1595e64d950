import type { GuardPolicy } from "../../src/abuse/prefix-guard";

/** The range guard's policy with the shipped defaults (wrangler.toml), for calls straight to a guard object. */
export const GUARD_POLICY: GuardPolicy = {
	minSends: 20,
	minRate: 0.1,
	windowMs: 86_400_000,
	blockMs: 3_600_000,
	settleMs: 300_000,
	fastWindowMs: 3_600_000,
	rangeAllowance: 10,
	blockAllowance: 3,
	maxAllowance: 100,
	provenWindowMs: 30 * 86_400_000,
};
