import { isSupportedCountry } from "libphonenumber-js";
import { z } from "zod";
import { normalizePhone } from "../phone/normalize";
import { channelProblems, channelVars } from "./channels-env";
import { eventsFields, eventsProblems } from "./events-env";
import { messagesProblems, messagesVars } from "./messages-env";
import { countryList, int, optionalString } from "./schema-parts";
import { scryptLimitProblems } from "./scrypt-limits";
import { signingKeysProblems, signingKeysVars } from "./signing-keys";
import { smsProtectionVars } from "./sms-protection";
import { turnstileFields, turnstileProblems } from "./turnstile-env";

/**
 * The Worker's variables and secrets as zod reads them: types, ranges,
 * defaults, and the rules that hold only in production. `parseConfig` (in
 * config.ts) turns the result into the typed Config the code reads.
 * Every message is fixed text (a range, a format, a position): the operator's
 * log shows it beside the setting's name, so it must never quote the value.
 */

const MIN_SECRET_BYTES = 32;

export const envSchema = z
	.object({
		ENVIRONMENT: z
			.enum(["production", "development", "test"], {
				error: "must be production, development or test",
			})
			.default("production"),
		...messagesVars,
		OTP_SECRET: optionalString,
		OTP_TTL_SECONDS: int(30, 3600, 300),
		OTP_MAX_ATTEMPTS: int(1, 10, 3),
		OTP_RESEND_COOLDOWN_SECONDS: int(0, 3600, 30),
		OTP_MAX_SENDS_PER_HOUR: int(1, 100, 5),
		OTP_TOMBSTONE_SECONDS: int(60, 86_400, 3600),
		OTP_MAX_SENDS_PER_DAY: int(1, 1000, 10),
		OTP_MAX_FAILED_VERIFICATIONS_PER_DAY: int(1, 1000, 10),
		OTP_PHONE_MAX_SENDS_PER_DAY: int(1, 10_000, 30),
		OTP_PHONE_MAX_FAILED_PER_DAY: int(1, 10_000, 50),
		OTP_NETWORK_MAX_FAILED_PER_DAY: int(1, 100_000, 30),
		OTP_MAX_PENDING_PER_PHONE: int(1, 20, 3),
		REGISTRATION_ID_REQUIRED: z
			.enum(["true", "false", ""], { error: "must be true or false" })
			.default("false")
			.transform((v) => v === "true"),
		PHONE_VALIDATION: z.preprocess(
			(v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
			z.enum(["valid", "possible"], { error: "must be valid or possible" }).default("valid"),
		),
		DEFAULT_COUNTRY: z
			.preprocess(
				(v) => (typeof v === "string" && v.trim() ? v.trim().toUpperCase() : undefined),
				z
					.string()
					.regex(/^[A-Z]{2}$/, "must be a two-letter country code, like GB")
					.optional(),
			)
			.refine((c) => c === undefined || isSupportedCountry(c), "is not a country libphonenumber-js knows"),
		...smsProtectionVars,
		...channelVars,
		SMS_ALLOWED_COUNTRIES: countryList,
		SMS_BLOCKED_COUNTRIES: countryList,
		TURNSTILE_SECRET_KEY: optionalString,
		TURNSTILE_VERIFY_URL: z.url("must be a URL").default("https://challenges.cloudflare.com/turnstile/v0/siteverify"),
		TURNSTILE_TIMEOUT_MS: int(100, 30_000, 5000),
		TURNSTILE_EXPECTED_HOSTNAME: optionalString,
		...turnstileFields,
		...eventsFields,
		TEST_PHONE_NUMBERS: z
			.preprocess((v) => (typeof v === "string" ? v : ""), z.string())
			.transform((s, ctx) => {
				const codes = new Map<string, string>();
				const pairs = s
					.split(",")
					.map((p) => p.trim())
					.filter(Boolean);
				for (const [index, pair] of pairs.entries()) {
					const m = /^(\+[1-9]\d{7,14}):(\d{6})$/.exec(pair);
					if (!m) {
						// The position, never the pair: it holds a phone number and its code.
						ctx.addIssue({ code: "custom", message: `entry ${index + 1} is not a +E164:123456 pair` });
						return z.NEVER;
					}
					// Keyed as the phone field normalises: `+44 07…` typed is `+447…`.
					codes.set(normalizePhone(m[1] as string) ?? (m[1] as string), m[2] as string);
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
		PUBLIC_BASE_URL: z
			.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.url("must be a URL").optional())
			.transform((u) => u?.replace(/\/+$/, "")),
		EMAIL_FALLBACK_ENABLED: z
			.enum(["true", "false", ""], { error: "must be true or false" })
			.default("true")
			.transform((v) => v !== "false"),
		RESEND_API_KEY: optionalString,
		RESEND_API_BASE_URL: z
			.url("must be a URL")
			.default("https://api.resend.com")
			.transform((u) => u.replace(/\/+$/, "")),
		EMAIL_FROM: optionalString,
		EMAIL_TIMEOUT_MS: int(100, 60_000, 10_000),
		ADMIN_API_TOKEN: optionalString,
		MESSAGE_RETENTION_DAYS: int(8, 3650, 30),
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
		...signingKeysVars,
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
		LOGIN_ACCOUNT_MAX_FAILURES_PER_DAY: int(1, 100_000, 50),
		LOGIN_ACCOUNT_LOCKOUT_SECONDS: int(1, 86_400, 900),
		SESSION_MAX_AGE_SECONDS: int(3600, 3650 * 86_400, 90 * 86_400),
	})
	.superRefine((v, ctx) => {
		const scrypt = { N: v.PASSWORD_SCRYPT_N, r: v.PASSWORD_SCRYPT_R, p: v.PASSWORD_SCRYPT_P };
		for (const { param, message } of scryptLimitProblems(scrypt))
			ctx.addIssue({ code: "custom", path: [`PASSWORD_SCRYPT_${param}`], message });
		turnstileProblems(v, ctx);
		messagesProblems(v, ctx);
		signingKeysProblems(v, ctx);
		eventsProblems(v, ctx);
		const twilio = [v.TWILIO_ACCOUNT_SID, v.TWILIO_AUTH_TOKEN, v.TWILIO_PHONE_NUMBER ?? v.TWILIO_MESSAGING_SERVICE_SID];
		channelProblems(v, v.ENVIRONMENT === "production", twilio.every(Boolean), ctx);
		if (v.ENVIRONMENT !== "production") {
			// Half a Twilio (or email) setup is a mistake, not a wish for the console sender.
			if (twilio.some(Boolean) && !twilio.every(Boolean))
				requireTwilio(v, ctx, "is required once any Twilio setting is set");
			if (v.RESEND_API_KEY && !v.EMAIL_FROM)
				ctx.addIssue({ code: "custom", path: ["EMAIL_FROM"], message: "is required once RESEND_API_KEY is set" });
			return;
		}
		if (v.EMAIL_FALLBACK_ENABLED) {
			for (const name of ["RESEND_API_KEY", "EMAIL_FROM"] as const)
				if (!v[name])
					ctx.addIssue({
						code: "custom",
						path: [name],
						message: "is required in production while EMAIL_FALLBACK_ENABLED is true (or set it to false)",
					});
		}
		if (v.ADMIN_API_TOKEN && byteLength(v.ADMIN_API_TOKEN) < MIN_SECRET_BYTES)
			ctx.addIssue({
				code: "custom",
				path: ["ADMIN_API_TOKEN"],
				message: `must be at least ${MIN_SECRET_BYTES} bytes (wrangler secret put ADMIN_API_TOKEN)`,
			});
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
		if (!v.JWT_REFRESH_SECRET || byteLength(v.JWT_REFRESH_SECRET) < MIN_SECRET_BYTES)
			ctx.addIssue({
				code: "custom",
				path: ["JWT_REFRESH_SECRET"],
				message: `must be set to at least ${MIN_SECRET_BYTES} bytes in production (wrangler secret put JWT_REFRESH_SECRET)`,
			});
	});

export type EnvVars = z.infer<typeof envSchema>;

function requireTwilio(
	v: Pick<EnvVars, "TWILIO_ACCOUNT_SID" | "TWILIO_AUTH_TOKEN" | "TWILIO_PHONE_NUMBER" | "TWILIO_MESSAGING_SERVICE_SID">,
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

function byteLength(s: string): number {
	return new TextEncoder().encode(s).length;
}
