import { z } from "zod";
import { int } from "./schema-parts";

const onOff = z.enum(["on", "off"], { error: "must be on or off" }).default("on");

/** E.164 prefixes (`+1415555`, or a whole number), comma-separated; empty means none. */
const prefixList = z
	.preprocess((v) => (typeof v === "string" ? v : ""), z.string())
	.transform((s) =>
		s
			.split(",")
			.map((p) => p.replace(/[\s\-.()]/g, ""))
			.filter(Boolean),
	)
	.refine(
		(list) => list.every((p) => /^\+[1-9]\d{0,14}$/.test(p)),
		"must be comma-separated E.164 prefixes, like +1415555",
	);

/** The settings of the layers that bound what SMS cost, as zod reads them (part of envSchema). */
export const smsProtectionVars = {
	/**
	 * `observe` logs what the range guard would refuse (and the signals) and refuses nothing there;
	 * `standard` gives a suspect request half the room; `strict` halves the room of ranges and refuses on a signal.
	 */
	SMS_PROTECTION: z.preprocess(
		(v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
		z.enum(["observe", "standard", "strict"], { error: "must be observe, standard or strict" }).default("standard"),
	),
	SMS_PREFIX_GUARD: onOff,
	SMS_PREFIX_MIN_SENDS: int(1, 100_000, 20),
	SMS_PREFIX_MIN_VERIFY_PERCENT: int(0, 100, 10),
	SMS_PREFIX_WINDOW_SECONDS: int(600, 7 * 86_400, 86_400),
	SMS_PREFIX_BLOCK_SECONDS: int(60, 7 * 86_400, 3600),
	SMS_RANGE_WINDOW_SECONDS: int(60, 86_400, 3600),
	SMS_RANGE_UNVERIFIED: int(1, 100_000, 10),
	SMS_BLOCK_UNVERIFIED: int(1, 100_000, 3),
	SMS_RANGE_UNVERIFIED_MAX: int(1, 1_000_000, 100),
	SMS_RANGE_PROVEN_DAYS: int(1, 365, 30),
	SMS_SAFE_RANGES: prefixList,
	SMS_SIGNAL_COUNTRY_MISMATCH: onOff,
	SMS_SIGNAL_NETWORK_SENDS_PER_HOUR: int(0, 1_000_000, 10),
	SMS_SIGNAL_ASN_SENDS_PER_HOUR: int(0, 10_000_000, 0),
	IP_RATE_LIMITS: onOff,
	IP_SENDS_PER_HOUR: int(0, 1_000_000, 20),
	IP_SENDS_PER_DAY: int(0, 1_000_000, 50),
	SMS_BUDGET_PER_HOUR: int(0, 1_000_000, 1000),
	SMS_BUDGET_PER_COUNTRY_PER_HOUR: int(0, 1_000_000, 200),
	SMS_BUDGET_RESERVE_PERCENT: int(0, 90, 20),
	/** With Turnstile in mode pressure: past this share of a budget, a send must prove a human first. */
	SMS_CHALLENGE_AT_PERCENT: int(1, 100, 50),
};

type Vars = { [K in keyof typeof smsProtectionVars]: z.infer<(typeof smsProtectionVars)[K]> };

/** Per client address, on the routes that send SMS; a limit of 0 is no limit. */
export interface IpLimits {
	/** Off only for trusted load tests, where all traffic comes from one address. */
	enabled: boolean;
	perHour: number;
	perDay: number;
}

/** The conversion-rate guard per number range; `enabled` false with SMS_PREFIX_GUARD=off. */
export interface PrefixGuardPolicy {
	enabled: boolean;
	minSends: number;
	minRate: number;
	windowMs: number;
	blockMs: number;
}

/** Fast feedback per number range and block (abuse/range-rules.ts). */
export interface RangeGuardPolicy {
	fastWindowMs: number;
	rangeAllowance: number;
	blockAllowance: number;
	maxAllowance: number;
	provenWindowMs: number;
}

/**
 * Signals that a send is not what it seems (abuse/signals.ts); what they do
 * depends on the level: observe logs them, standard makes the request suspect,
 * strict refuses it.
 */
export interface SignalPolicy {
	/** The request's country (request.cf.country) is none of the number's countries. */
	countryMismatch: boolean;
	/** SMS per rolling hour from one client network (IPv4 address, IPv6 /48) before it signals; 0 = off. */
	networkSendsPerHour: number;
	/** SMS per rolling hour from one autonomous system (request.cf.asn) before it signals; 0 = off. */
	asnSendsPerHour: number;
}

export interface SmsProtection {
	level: Vars["SMS_PROTECTION"];
	prefixGuard: PrefixGuardPolicy;
	rangeGuard: RangeGuardPolicy;
	ipLimits: IpLimits;
	/** Ranges and numbers that are never throttled, and draw on the budgets' reserve. */
	safeRanges: string[];
	/** The share of each SMS budget only known-good traffic may use, 0–0.9. */
	budgetReserve: number;
	/** The share of a budget past which (Turnstile in mode pressure) a send needs a solved challenge, 0–1. */
	challengeAt: number;
	signals: SignalPolicy;
}

export function smsProtectionOf(v: Vars): SmsProtection {
	// Strict: half the room for ranges and blocks without history.
	const strict = v.SMS_PROTECTION === "strict" ? 2 : 1;
	return {
		level: v.SMS_PROTECTION,
		prefixGuard: {
			enabled: v.SMS_PREFIX_GUARD === "on",
			minSends: v.SMS_PREFIX_MIN_SENDS,
			minRate: v.SMS_PREFIX_MIN_VERIFY_PERCENT / 100,
			windowMs: v.SMS_PREFIX_WINDOW_SECONDS * 1000,
			blockMs: v.SMS_PREFIX_BLOCK_SECONDS * 1000,
		},
		rangeGuard: {
			fastWindowMs: v.SMS_RANGE_WINDOW_SECONDS * 1000,
			rangeAllowance: Math.max(1, Math.floor(v.SMS_RANGE_UNVERIFIED / strict)),
			blockAllowance: Math.max(1, Math.floor(v.SMS_BLOCK_UNVERIFIED / strict)),
			maxAllowance: v.SMS_RANGE_UNVERIFIED_MAX,
			provenWindowMs: v.SMS_RANGE_PROVEN_DAYS * 86_400_000,
		},
		ipLimits: { enabled: v.IP_RATE_LIMITS === "on", perHour: v.IP_SENDS_PER_HOUR, perDay: v.IP_SENDS_PER_DAY },
		safeRanges: v.SMS_SAFE_RANGES,
		budgetReserve: v.SMS_BUDGET_RESERVE_PERCENT / 100,
		challengeAt: v.SMS_CHALLENGE_AT_PERCENT / 100,
		signals: {
			countryMismatch: v.SMS_SIGNAL_COUNTRY_MISMATCH === "on",
			networkSendsPerHour: v.SMS_SIGNAL_NETWORK_SENDS_PER_HOUR,
			asnSendsPerHour: v.SMS_SIGNAL_ASN_SENDS_PER_HOUR,
		},
	};
}
