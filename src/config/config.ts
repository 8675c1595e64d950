import type { CountryCode } from "libphonenumber-js";
import { ApiError } from "../errors/errors";
import { type ChannelPolicy, channelPolicyOf, type TwilioChannels, twilioChannelsOf } from "./channels-env";
import { type EnvVars, envSchema } from "./env-schema";
import { type EventsConfig, eventsSettings } from "./events-env";
import { autofillHostOf, type Locale } from "./messages-env";
import type { SigningKeySet } from "./signing-keys";
import {
	type IpLimits,
	type PrefixGuardPolicy,
	type RangeGuardPolicy,
	type SmsProtection,
	smsProtectionOf,
} from "./sms-protection";
import { type TurnstileSettings, turnstileSettings } from "./turnstile-env";

export type { Channel, ChannelPolicy, PhoneChannel, TwilioChannels } from "./channels-env";
export type { EventsConfig } from "./events-env";
export type { SigningAlg, SigningJwk, SigningKeySet } from "./signing-keys";
export type { TurnstileConfig, TurnstileMode, TurnstileSettings } from "./turnstile-env";
export type { IpLimits, PrefixGuardPolicy, RangeGuardPolicy, SmsProtection };

const DEV_OTP_SECRET = "dev-only-otp-secret-never-use-in-production!";
const DEV_JWT_REFRESH_SECRET = "dev-only-jwt-refresh-secret-never-use-in-production!";

export interface TwilioConfig {
	baseUrl: string;
	accountSid: string;
	authToken: string;
	from?: string;
	messagingServiceSid?: string;
	timeoutMs: number;
	channels: TwilioChannels;
}

export interface ResendConfig {
	baseUrl: string;
	apiKey: string;
	from: string;
	timeoutMs: number;
}

/** The email fallback for registration codes; `console` only outside production, when Resend is not configured. */
export type EmailConfig =
	| { enabled: false }
	| { enabled: true; sender: { kind: "resend"; resend: ResendConfig } | { kind: "console" } };

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
	/** Wrong codes per (phone, client network) per rolling day, over every code; then that network waits. */
	maxFailedPerDay: number;
	/** The ceiling over every network: codes sent to one phone per rolling day. */
	phoneMaxSendsPerDay: number;
	/** The ceiling over every network: wrong codes for one phone per rolling day. */
	phoneMaxFailedPerDay: number;
	/** Registrations live at once for one phone, whoever started them. */
	maxPendingPerPhone: number;
	tombstoneMs: number;
}

/** Token lifetimes in seconds, as they appear in the JWT claims. */
export interface TokenConfig {
	/**
	 * The private keys of access tokens (JWT_SIGNING_KEYS). Unset (outside
	 * production only): a key generated once per isolate signs.
	 */
	signingKeys?: SigningKeySet;
	/** HS256 key of refresh tokens, which only this service reads. */
	refreshSecret: string;
	issuer: string;
	audience: string;
	accessTtlSeconds: number;
	refreshTtlSeconds: number;
	/** A session ends this long after sign-in, however often it is refreshed. */
	sessionMaxAgeSeconds: number;
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
	/**
	 * Countries (`US`) and calling codes (`882`); a calling code covers every
	 * number that dials it, countryless ranges included. Empty: every number not blocked.
	 */
	allowedCountries: string[];
	/** Countries and calling codes, as `allowedCountries`; blocking wins over allowing. */
	blockedCountries: string[];
	/** SMS per rolling hour, everywhere; 0 = unlimited. */
	budgetPerHour: number;
	/** SMS per rolling hour per country calling code; 0 = unlimited. */
	budgetPerCountryPerHour: number;
	/** Fixed codes for fixed numbers: never texted, never counted against a budget. */
	testNumbers: Map<string, string>;
}

export interface Config {
	environment: EnvVars["ENVIRONMENT"];
	appName: string;
	/** The language of a message when the request names none we speak. */
	defaultLocale: Locale;
	/** Every SMS ends with `@autofillHost #code` (WebOTP); the host of PUBLIC_BASE_URL, null when unset. */
	autofillHost: string | null;
	/** Google's SMS Retriever hash, put in every SMS when set. */
	androidAppHash?: string;
	otpSecret: string;
	otp: OtpPolicy;
	/** Wrong codes per client network per rolling day across every phone (verify-otp and password-reset/verify). */
	networkMaxFailedPerDay: number;
	/** verify-otp and resend-otp refuse the id-less path (for clients that all send registrationId). */
	registrationIdRequired: boolean;
	/** `valid`: a number must be valid for its country; `possible`: only of a possible length. */
	phoneValidation: "valid" | "possible";
	scrypt: ScryptParams;
	/** `console` only outside production, when Twilio is not configured. */
	sms: { kind: "twilio"; twilio: TwilioConfig } | { kind: "console" };
	email: EmailConfig;
	/** Which channels a code may take, their order, and the automatic fallback. */
	channels: ChannelPolicy;
	/**
	 * Where Twilio can reach this Worker: sends ask for status callbacks at
	 * `{publicBaseUrl}/api/webhooks/twilio/message-status`. Unset: no callbacks.
	 */
	publicBaseUrl?: string;
	/** Bearer token of the admin endpoints; unset, they refuse everyone. */
	adminToken?: string;
	/** How long the messages table keeps a message. */
	messageRetentionMs: number;
	corsOrigins: string[];
	smsPolicy: SmsPolicy;
	/** Reads phone numbers typed without a country code as this country's. */
	defaultCountry?: CountryCode;
	/** The layers that bound what SMS cost: range guard, per-address limits, budgets' reserve. */
	protection: SmsProtection;
	ipLimits: IpLimits;
	prefixGuard: PrefixGuardPolicy;
	rangeGuard: RangeGuardPolicy;
	/**
	 * Set when TURNSTILE_SECRET_KEY is: the routes that send SMS then need a
	 * solved challenge, always or (mode `pressure`) when the send pipeline asks.
	 */
	turnstile?: TurnstileSettings;
	/** Set when EVENTS_WEBHOOK_URL is: signed events go there through the EVENTS queue. */
	events?: EventsConfig;
	tokens: TokenConfig;
	login: {
		account: ThrottlePolicy;
		ip: ThrottlePolicy;
		/** Failures per account per rolling day over every network; then Turnstile (when configured) or a lock. */
		accountMaxFailuresPerDay: number;
		/** The lock once that ceiling is reached and Turnstile is not configured. */
		accountLockoutMs: number;
	};
}

const cache = new WeakMap<object, Config>();

/**
 * Parses the bindings once per `env` object.
 * @throws ApiError CONFIGURATION_ERROR; see {@link parseConfig}.
 */
export function getConfig(env: object): Config {
	let config = cache.get(env);
	if (!config) {
		config = parseConfig(env as Record<string, unknown>);
		cache.set(env, config);
	}
	return config;
}

/**
 * Reads the bindings into a {@link Config}.
 * @throws ApiError CONFIGURATION_ERROR with the generic message, which is all
 * a client sees. Its `cause` lists the problems for the operator's log line:
 * each names a setting and says what is wrong in our own words, never with
 * the value (it may be a secret).
 */
export function parseConfig(env: Record<string, unknown>): Config {
	const parsed = envSchema.safeParse(env);
	if (!parsed.success) {
		const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "config"} ${i.message}`);
		const cause = new Error(`Invalid configuration: ${problems.join("; ")}`);
		throw new ApiError("CONFIGURATION_ERROR", undefined, {}, { cause });
	}
	const v = parsed.data;
	const lockoutsMs = v.LOGIN_LOCKOUT_SECONDS.map((s) => s * 1000);
	const windowMs = v.LOGIN_FAILURE_WINDOW_SECONDS * 1000;
	const protection = smsProtectionOf(v);
	const twilioReady = Boolean(
		v.TWILIO_ACCOUNT_SID && v.TWILIO_AUTH_TOKEN && (v.TWILIO_PHONE_NUMBER || v.TWILIO_MESSAGING_SERVICE_SID),
	);
	return {
		environment: v.ENVIRONMENT,
		appName: v.APP_NAME,
		defaultLocale: v.DEFAULT_LOCALE,
		autofillHost: autofillHostOf(v.PUBLIC_BASE_URL) ?? null,
		androidAppHash: v.ANDROID_APP_HASH,
		otpSecret: v.OTP_SECRET ?? DEV_OTP_SECRET,
		otp: {
			ttlMs: v.OTP_TTL_SECONDS * 1000,
			maxAttempts: v.OTP_MAX_ATTEMPTS,
			cooldownMs: v.OTP_RESEND_COOLDOWN_SECONDS * 1000,
			maxSendsPerHour: v.OTP_MAX_SENDS_PER_HOUR,
			maxSendsPerDay: v.OTP_MAX_SENDS_PER_DAY,
			maxFailedPerDay: v.OTP_MAX_FAILED_VERIFICATIONS_PER_DAY,
			phoneMaxSendsPerDay: v.OTP_PHONE_MAX_SENDS_PER_DAY,
			phoneMaxFailedPerDay: v.OTP_PHONE_MAX_FAILED_PER_DAY,
			maxPendingPerPhone: v.OTP_MAX_PENDING_PER_PHONE,
			tombstoneMs: v.OTP_TOMBSTONE_SECONDS * 1000,
		},
		networkMaxFailedPerDay: v.OTP_NETWORK_MAX_FAILED_PER_DAY,
		registrationIdRequired: v.REGISTRATION_ID_REQUIRED,
		phoneValidation: v.PHONE_VALIDATION,
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
						channels: twilioChannelsOf(v),
					},
				}
			: { kind: "console" },
		email: !v.EMAIL_FALLBACK_ENABLED
			? { enabled: false }
			: {
					enabled: true,
					sender:
						v.RESEND_API_KEY && v.EMAIL_FROM
							? {
									kind: "resend",
									resend: {
										baseUrl: v.RESEND_API_BASE_URL,
										apiKey: v.RESEND_API_KEY,
										from: v.EMAIL_FROM,
										timeoutMs: v.EMAIL_TIMEOUT_MS,
									},
								}
							: { kind: "console" },
				},
		channels: channelPolicyOf(v, v.EMAIL_FALLBACK_ENABLED),
		publicBaseUrl: v.PUBLIC_BASE_URL,
		adminToken: v.ADMIN_API_TOKEN,
		messageRetentionMs: v.MESSAGE_RETENTION_DAYS * 86_400_000,
		corsOrigins: v.CORS_ALLOWED_ORIGINS,
		turnstile: turnstileSettings(v),
		events: eventsSettings(v),
		defaultCountry: v.DEFAULT_COUNTRY as CountryCode | undefined,
		protection,
		prefixGuard: protection.prefixGuard,
		rangeGuard: protection.rangeGuard,
		ipLimits: protection.ipLimits,
		smsPolicy: {
			allowedCountries: v.SMS_ALLOWED_COUNTRIES,
			blockedCountries: v.SMS_BLOCKED_COUNTRIES,
			budgetPerHour: v.SMS_BUDGET_PER_HOUR,
			budgetPerCountryPerHour: v.SMS_BUDGET_PER_COUNTRY_PER_HOUR,
			testNumbers: v.TEST_PHONE_NUMBERS,
		},
		tokens: {
			signingKeys: v.JWT_SIGNING_KEYS,
			refreshSecret: v.JWT_REFRESH_SECRET ?? DEV_JWT_REFRESH_SECRET,
			issuer: v.JWT_ISSUER,
			audience: v.JWT_AUDIENCE,
			accessTtlSeconds: v.ACCESS_TOKEN_TTL_SECONDS,
			refreshTtlSeconds: v.REFRESH_TOKEN_TTL_SECONDS,
			sessionMaxAgeSeconds: v.SESSION_MAX_AGE_SECONDS,
		},
		login: {
			account: { maxFailures: v.LOGIN_MAX_FAILURES, lockoutsMs, windowMs },
			ip: { maxFailures: v.LOGIN_IP_MAX_FAILURES, lockoutsMs, windowMs },
			accountMaxFailuresPerDay: v.LOGIN_ACCOUNT_MAX_FAILURES_PER_DAY,
			accountLockoutMs: v.LOGIN_ACCOUNT_LOCKOUT_SECONDS * 1000,
		},
	};
}
