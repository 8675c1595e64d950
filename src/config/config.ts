import { type CountryCode, isSupportedCountry } from "libphonenumber-js";
import { z } from "zod";
import { ApiError } from "../http/errors";
import { scryptLimitProblems } from "../passwords/scrypt";
import type { TurnstileConfig } from "../turnstile/turnstile";

const DEV_OTP_SECRET = "dev-only-otp-secret-never-use-in-production!";
const DEV_JWT_SECRET = "dev-only-jwt-access-secret-never-use-in-production!";
const DEV_JWT_REFRESH_SECRET = "dev-only-jwt-refresh-secret-never-use-in-production!";
const MIN_SECRET_BYTES = 32;

/** An integer setting; an empty string counts as unset, so the default applies. */
const int = (min: number, max: number, fallback: number) =>
	z.preprocess(
		(v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
		z.coerce
			.number({ error: "must be a number" })
			.int("must be a whole number")
			.min(min, `must be at least ${min}`)
			.max(max, `must be at most ${max}`)
			.default(fallback),
	);

/** ISO 3166-1 alpha-2 codes, comma-separated, upper-cased; empty means none. */
const countryList = z
	.preprocess((v) => (typeof v === "string" ? v : ""), z.string())
	.transform((s) =>
		s
			.split(",")
			.map((c) => c.trim().toUpperCase())
			.filter(Boolean),
	)
	.refine(
		(list) => list.every((c) => /^[A-Z]{2}$/.test(c)),
		"must be comma-separated two-letter country codes, like US,CA",
	);

/** Empty strings (as left by a copied `.dev.vars.example`) count as unset. */
const optionalString = z
	.string()
	.trim()
	.optional()
	.transform((v) => (v ? v : undefined));

const schema = z
	.object({
		ENVIRONMENT: z
			.enum(["production", "development", "test"], {
				error: "must be production, development or test",
			})
			.default("production"),
		APP_NAME: z.string().trim().min(1).max(40).default("Acme"),
		OTP_SECRET: optionalString,
		OTP_TTL_SECONDS: int(30, 3600, 300),
		OTP_MAX_ATTEMPTS: int(1, 10, 3),
		OTP_RESEND_COOLDOWN_SECONDS: int(0, 3600, 30),
		OTP_MAX_SENDS_PER_HOUR: int(1, 100, 5),
		OTP_TOMBSTONE_SECONDS: int(60, 86_400, 3600),
		OTP_MAX_SENDS_PER_DAY: int(1, 1000, 10),
		OTP_MAX_FAILED_VERIFICATIONS_PER_DAY: int(1, 1000, 10),
		DEFAULT_COUNTRY: z
			.preprocess(
				(v) => (typeof v === "string" && v.trim() ? v.trim().toUpperCase() : undefined),
				z
					.string()
					.regex(/^[A-Z]{2}$/, "must be a two-letter country code, like GB")
					.optional(),
			)
			.refine((c) => c === undefined || isSupportedCountry(c), "is not a country libphonenumber-js knows"),
		SMS_ALLOWED_COUNTRIES: countryList,
		SMS_BLOCKED_COUNTRIES: countryList,
		TURNSTILE_SECRET_KEY: optionalString,
		TURNSTILE_VERIFY_URL: z.url("must be a URL").default("https://challenges.cloudflare.com/turnstile/v0/siteverify"),
		TURNSTILE_TIMEOUT_MS: int(100, 30_000, 5000),
		SMS_PREFIX_GUARD: z.enum(["on", "off"], { error: "must be on or off" }).default("on"),
		SMS_PREFIX_MIN_SENDS: int(1, 100_000, 20),
		SMS_PREFIX_MIN_VERIFY_PERCENT: int(0, 100, 10),
		SMS_PREFIX_WINDOW_SECONDS: int(600, 7 * 86_400, 86_400),
		SMS_PREFIX_BLOCK_SECONDS: int(60, 7 * 86_400, 3600),
		IP_RATE_LIMITS: z.enum(["on", "off"], { error: "must be on or off" }).default("on"),
		IP_SENDS_PER_HOUR: int(0, 1_000_000, 20),
		IP_SENDS_PER_DAY: int(0, 1_000_000, 50),
		SMS_BUDGET_PER_HOUR: int(0, 1_000_000, 1000),
		SMS_BUDGET_PER_COUNTRY_PER_HOUR: int(0, 1_000_000, 200),
		TEST_PHONE_NUMBERS: z
			.preprocess((v) => (typeof v === "string" ? v : ""), z.string())
			.transform((s, ctx) => {
				const codes = new Map<string, string>();
				for (const pair of s
					.split(",")
					.map((p) => p.trim())
					.filter(Boolean)) {
					const m = /^(\+[1-9]\d{7,14}):(\d{6})$/.exec(pair);
					if (!m) {
						ctx.addIssue({ code: "custom", message: `"${pair}" is not a +E164:123456 pair` });
						return z.NEVER;
					}
					codes.set(m[1] as string, m[2] as string);
				}
				return codes;
			}),
		ALLOW_TEST_PHONE_NUMBERS_IN_PRODUCTION: z
			.enum(["true", "false", ""], { error: "must be true or false" })
			.default("false")
			.transform((v) => v === "true"),
		PASSWORD_SCRYPT_N: int(2, 2 ** 20, 32_768).refine((n) => (n & (n - 1)) === 0, "must be a power of two"),
		PASSWORD_SCRYPT_R: int(1, 32, 8),
		PASSWORD_SCRYPT_P: int(1, 16, 3),
		TWILIO_API_BASE_URL: z
			.url("must be a URL")
			.default("https://api.twilio.com")
			.transform((u) => u.replace(/\/+$/, "")),
		TWILIO_ACCOUNT_SID: optionalString,
		TWILIO_AUTH_TOKEN: optionalString,
		TWILIO_PHONE_NUMBER: optionalString,
		TWILIO_MESSAGING_SERVICE_SID: optionalString,
		TWILIO_TIMEOUT_MS: int(100, 60_000, 10_000),
		CORS_ALLOWED_ORIGINS: z
			.string()
			.default("")
			.transform((s) =>
				s
					.split(",")
					.map((o) => o.trim())
					.filter(Boolean),
			)
			.refine(
				(list) => list.every((o) => o === "*" || /^https?:\/\/[^/]+$/.test(o)),
				"must be a comma-separated list of origins like https://app.example.com",
			),
		JWT_SECRET: optionalString,
		JWT_REFRESH_SECRET: optionalString,
		JWT_ISSUER: z.string().trim().min(1).max(200).default("edge-verify"),
		JWT_AUDIENCE: z.string().trim().min(1).max(200).default("edge-verify-api"),
		ACCESS_TOKEN_TTL_SECONDS: int(60, 86_400, 900),
		REFRESH_TOKEN_TTL_SECONDS: int(3600, 365 * 86_400, 30 * 86_400),
		LOGIN_MAX_FAILURES: int(1, 100, 5),
		LOGIN_IP_MAX_FAILURES: int(1, 10_000, 50),
		LOGIN_LOCKOUT_SECONDS: z
			.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().default("60,300,900"))
			.transform((s) => s.split(",").map((d) => Number(d.trim())))
			.refine(
				(list) => list.length > 0 && list.every((d) => Number.isInteger(d) && d >= 1 && d <= 86_400),
				"must be a comma-separated list of whole seconds between 1 and 86400, like 60,300,900",
			),
		LOGIN_FAILURE_WINDOW_SECONDS: int(60, 30 * 86_400, 86_400),
	})
	.superRefine((v, ctx) => {
		const scrypt = { N: v.PASSWORD_SCRYPT_N, r: v.PASSWORD_SCRYPT_R, p: v.PASSWORD_SCRYPT_P };
		for (const { param, message } of scryptLimitProblems(scrypt))
			ctx.addIssue({ code: "custom", path: [`PASSWORD_SCRYPT_${param}`], message });
		const twilio = [v.TWILIO_ACCOUNT_SID, v.TWILIO_AUTH_TOKEN, v.TWILIO_PHONE_NUMBER ?? v.TWILIO_MESSAGING_SERVICE_SID];
		if (v.ENVIRONMENT !== "production") {
			// Half a Twilio setup is a mistake, not a wish for the console sender.
			if (twilio.some(Boolean) && !twilio.every(Boolean))
				requireTwilio(v, ctx, "is required once any Twilio setting is set");
			return;
		}
		// The weakest of OWASP's equivalent scrypt settings is N=2^13, r=8, p=10.
		if (scrypt.N * scrypt.r * scrypt.p < 2 ** 13 * 8 * 10)
			ctx.addIssue({
				code: "custom",
				path: ["PASSWORD_SCRYPT_N"],
				message: "N·r·p must be at least 655360 in production (OWASP minimum)",
			});
		if (!v.OTP_SECRET || byteLength(v.OTP_SECRET) < MIN_SECRET_BYTES)
			ctx.addIssue({
				code: "custom",
				path: ["OTP_SECRET"],
				message: `must be set to at least ${MIN_SECRET_BYTES} bytes in production (wrangler secret put OTP_SECRET)`,
			});
		requireTwilio(v, ctx, "is required in production");
		if (v.TEST_PHONE_NUMBERS.size > 0 && !v.ALLOW_TEST_PHONE_NUMBERS_IN_PRODUCTION)
			ctx.addIssue({
				code: "custom",
				path: ["TEST_PHONE_NUMBERS"],
				message: "is refused in production unless ALLOW_TEST_PHONE_NUMBERS_IN_PRODUCTION=true",
			});
		for (const name of ["JWT_SECRET", "JWT_REFRESH_SECRET"] as const) {
			const secret = v[name];
			if (!secret || byteLength(secret) < MIN_SECRET_BYTES)
				ctx.addIssue({
					code: "custom",
					path: [name],
					message: `must be set to at least ${MIN_SECRET_BYTES} bytes in production (wrangler secret put ${name})`,
				});
		}
		if (v.JWT_SECRET && v.JWT_SECRET === v.JWT_REFRESH_SECRET)
			ctx.addIssue({ code: "custom", path: ["JWT_REFRESH_SECRET"], message: "must differ from JWT_SECRET" });
	});

type Raw = z.infer<typeof schema>;

function requireTwilio(
	v: Pick<Raw, "TWILIO_ACCOUNT_SID" | "TWILIO_AUTH_TOKEN" | "TWILIO_PHONE_NUMBER" | "TWILIO_MESSAGING_SERVICE_SID">,
	ctx: z.RefinementCtx,
	message: string,
): void {
	for (const name of ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"] as const) {
		if (!v[name]) ctx.addIssue({ code: "custom", path: [name], message });
	}
	if (!v.TWILIO_PHONE_NUMBER && !v.TWILIO_MESSAGING_SERVICE_SID)
		ctx.addIssue({
			code: "custom",
			path: ["TWILIO_PHONE_NUMBER"],
			message: `(or TWILIO_MESSAGING_SERVICE_SID) ${message}`,
		});
}

export interface TwilioConfig {
	baseUrl: string;
	accountSid: string;
	authToken: string;
	from?: string;
	messagingServiceSid?: string;
	timeoutMs: number;
}

export interface ScryptParams {
	N: number;
	r: number;
	p: number;
}

/** The OTP rules, in milliseconds, as the challenge logic consumes them. */
export interface OtpPolicy {
	ttlMs: number;
	maxAttempts: number;
	cooldownMs: number;
	maxSendsPerHour: number;
	maxSendsPerDay: number;
	/** Wrong codes per phone per rolling day, over every code; then the phone waits. */
	maxFailedPerDay: number;
	tombstoneMs: number;
}

/** Token lifetimes in seconds, as they appear in the JWT claims. */
export interface TokenConfig {
	accessSecret: string;
	refreshSecret: string;
	issuer: string;
	audience: string;
	accessTtlSeconds: number;
	refreshTtlSeconds: number;
}

/** When failed logins lock an account or an IP address, and for how long. */
export interface ThrottlePolicy {
	maxFailures: number;
	/** Lock-out after the threshold, then after each further failure; the last one repeats. */
	lockoutsMs: number[];
	/** Failures are forgotten after this long without one. */
	windowMs: number;
}

/** Which numbers may get an SMS, and how many SMS may go out. */
export interface SmsPolicy {
	/** Empty: every country not blocked. */
	allowedCountries: string[];
	blockedCountries: string[];
	/** SMS per rolling hour, everywhere; 0 = unlimited. */
	budgetPerHour: number;
	/** SMS per rolling hour per country calling code; 0 = unlimited. */
	budgetPerCountryPerHour: number;
	/** Fixed codes for fixed numbers: never texted, never counted against a budget. */
	testNumbers: Map<string, string>;
}

/** Per client address, on the routes that send SMS; a limit of 0 is no limit. */
export interface IpLimits {
	/** Off only for trusted load tests, where all traffic comes from one address. */
	enabled: boolean;
	perHour: number;
	perDay: number;
}

export interface Config {
	environment: Raw["ENVIRONMENT"];
	appName: string;
	otpSecret: string;
	otp: OtpPolicy;
	scrypt: ScryptParams;
	/** `console` only outside production, when Twilio is not configured. */
	sms: { kind: "twilio"; twilio: TwilioConfig } | { kind: "console" };
	corsOrigins: string[];
	smsPolicy: SmsPolicy;
	/** Reads phone numbers typed without a country code as this country's. */
	defaultCountry?: CountryCode;
	ipLimits: IpLimits;
	/** The conversion-rate guard per number prefix; `enabled` false with SMS_PREFIX_GUARD=off. */
	prefixGuard: { enabled: boolean; minSends: number; minRate: number; windowMs: number; blockMs: number };
	/** Set when TURNSTILE_SECRET_KEY is: the routes that send SMS then require a solved challenge. */
	turnstile?: TurnstileConfig;
	tokens: TokenConfig;
	login: { account: ThrottlePolicy; ip: ThrottlePolicy };
}

const cache = new WeakMap<object, Config>();

/**
 * Parses the bindings once per `env` object.
 * @throws ApiError CONFIGURATION_ERROR naming the variable at fault.
 */
export function getConfig(env: object): Config {
	let config = cache.get(env);
	if (!config) {
		config = parseConfig(env as Record<string, unknown>);
		cache.set(env, config);
	}
	return config;
}

export function parseConfig(env: Record<string, unknown>): Config {
	const parsed = schema.safeParse(env);
	if (!parsed.success) {
		const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "config"} ${i.message}`);
		throw new ApiError("CONFIGURATION_ERROR", `Invalid configuration: ${problems.join("; ")}`);
	}
	const v = parsed.data;
	const lockoutsMs = v.LOGIN_LOCKOUT_SECONDS.map((s) => s * 1000);
	const windowMs = v.LOGIN_FAILURE_WINDOW_SECONDS * 1000;
	const twilioReady = Boolean(
		v.TWILIO_ACCOUNT_SID && v.TWILIO_AUTH_TOKEN && (v.TWILIO_PHONE_NUMBER || v.TWILIO_MESSAGING_SERVICE_SID),
	);
	return {
		environment: v.ENVIRONMENT,
		appName: v.APP_NAME,
		otpSecret: v.OTP_SECRET ?? DEV_OTP_SECRET,
		otp: {
			ttlMs: v.OTP_TTL_SECONDS * 1000,
			maxAttempts: v.OTP_MAX_ATTEMPTS,
			cooldownMs: v.OTP_RESEND_COOLDOWN_SECONDS * 1000,
			maxSendsPerHour: v.OTP_MAX_SENDS_PER_HOUR,
			maxSendsPerDay: v.OTP_MAX_SENDS_PER_DAY,
			maxFailedPerDay: v.OTP_MAX_FAILED_VERIFICATIONS_PER_DAY,
			tombstoneMs: v.OTP_TOMBSTONE_SECONDS * 1000,
		},
		scrypt: { N: v.PASSWORD_SCRYPT_N, r: v.PASSWORD_SCRYPT_R, p: v.PASSWORD_SCRYPT_P },
		sms: twilioReady
			? {
					kind: "twilio",
					twilio: {
						baseUrl: v.TWILIO_API_BASE_URL,
						accountSid: v.TWILIO_ACCOUNT_SID as string,
						authToken: v.TWILIO_AUTH_TOKEN as string,
						from: v.TWILIO_PHONE_NUMBER,
						messagingServiceSid: v.TWILIO_MESSAGING_SERVICE_SID,
						timeoutMs: v.TWILIO_TIMEOUT_MS,
					},
				}
			: { kind: "console" },
		corsOrigins: v.CORS_ALLOWED_ORIGINS,
		turnstile: v.TURNSTILE_SECRET_KEY
			? { secretKey: v.TURNSTILE_SECRET_KEY, verifyUrl: v.TURNSTILE_VERIFY_URL, timeoutMs: v.TURNSTILE_TIMEOUT_MS }
			: undefined,
		defaultCountry: v.DEFAULT_COUNTRY as CountryCode | undefined,
		prefixGuard: {
			enabled: v.SMS_PREFIX_GUARD === "on",
			minSends: v.SMS_PREFIX_MIN_SENDS,
			minRate: v.SMS_PREFIX_MIN_VERIFY_PERCENT / 100,
			windowMs: v.SMS_PREFIX_WINDOW_SECONDS * 1000,
			blockMs: v.SMS_PREFIX_BLOCK_SECONDS * 1000,
		},
		ipLimits: { enabled: v.IP_RATE_LIMITS === "on", perHour: v.IP_SENDS_PER_HOUR, perDay: v.IP_SENDS_PER_DAY },
		smsPolicy: {
			allowedCountries: v.SMS_ALLOWED_COUNTRIES,
			blockedCountries: v.SMS_BLOCKED_COUNTRIES,
			budgetPerHour: v.SMS_BUDGET_PER_HOUR,
			budgetPerCountryPerHour: v.SMS_BUDGET_PER_COUNTRY_PER_HOUR,
			testNumbers: v.TEST_PHONE_NUMBERS,
		},
		tokens: {
			accessSecret: v.JWT_SECRET ?? DEV_JWT_SECRET,
			refreshSecret: v.JWT_REFRESH_SECRET ?? DEV_JWT_REFRESH_SECRET,
			issuer: v.JWT_ISSUER,
			audience: v.JWT_AUDIENCE,
			accessTtlSeconds: v.ACCESS_TOKEN_TTL_SECONDS,
			refreshTtlSeconds: v.REFRESH_TOKEN_TTL_SECONDS,
		},
		login: {
			account: { maxFailures: v.LOGIN_MAX_FAILURES, lockoutsMs, windowMs },
			ip: { maxFailures: v.LOGIN_IP_MAX_FAILURES, lockoutsMs, windowMs },
		},
	};
}

function byteLength(s: string): number {
	return new TextEncoder().encode(s).length;
}
