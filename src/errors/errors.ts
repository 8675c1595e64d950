import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * Every error the API can answer with: its HTTP status and default message.
 * Clients branch on `code`; the message is for people and may change.
 */
export const ERROR_CODES = {
	VALIDATION_ERROR: { status: 400, message: "The request is invalid" },
	OTP_INVALID: { status: 400, message: "The code is incorrect" },
	INVALID_CREDENTIALS: { status: 401, message: "The email, phone number or password is incorrect" },
	UNAUTHORIZED: { status: 401, message: "A valid access token is required" },
	TOKEN_REUSED: {
		status: 401,
		message: "This refresh token was already used; every session it belonged to has been signed out",
	},
	INVALID_SIGNATURE: { status: 403, message: "The request signature is missing or invalid" },
	CHANNEL_UNAVAILABLE: { status: 403, message: "Codes cannot be sent by this channel; choose another" },
	CHANNEL_UNREACHABLE: { status: 422, message: "This number cannot be reached by this channel; choose another" },
	CAPTCHA_FAILED: { status: 403, message: "The bot check failed; solve the challenge and try again" },
	CAPTCHA_REQUIRED: { status: 403, message: "Solve the challenge to continue" },
	COUNTRY_NOT_ALLOWED: { status: 403, message: "SMS cannot be sent to numbers in this country" },
	OTP_NOT_FOUND: {
		status: 404,
		message: "No registration is pending for this phone number",
	},
	NOT_FOUND: { status: 404, message: "Not found" },
	CUSTOMER_EXISTS: {
		status: 409,
		message: "A customer with this email or phone number already exists",
	},
	REGISTRATION_ID_REQUIRED: {
		status: 409,
		message: "Several registrations are pending for this phone number; send the registrationId of yours",
	},
	OTP_EXPIRED: {
		status: 410,
		message: "The code has expired; request a new one",
	},
	PAYLOAD_TOO_LARGE: { status: 413, message: "The request body is too large" },
	UNSUPPORTED_MEDIA_TYPE: {
		status: 415,
		message: "The request body must be JSON (Content-Type: application/json)",
	},
	OTP_TOO_MANY_ATTEMPTS: {
		status: 429,
		message: "Too many incorrect codes; request a new one",
	},
	RATE_LIMITED: { status: 429, message: "Too many requests; try again later" },
	INTERNAL_ERROR: { status: 500, message: "Something went wrong on our side" },
	CONFIGURATION_ERROR: {
		status: 500,
		message: "The service is misconfigured",
	},
	SMS_DELIVERY_FAILED: {
		status: 502,
		message: "The SMS could not be sent; try again",
	},
	EMAIL_DELIVERY_FAILED: {
		status: 502,
		message: "The email could not be sent; try again",
	},
	SMS_BUDGET_EXHAUSTED: {
		status: 503,
		message: "We cannot send more codes right now; try again later",
	},
	SMS_RANGE_THROTTLED: {
		status: 429,
		message: "Too many codes to this number range are waiting to be verified; try again later",
	},
	SMS_PREFIX_BLOCKED: {
		status: 503,
		message: "We cannot send codes to this number range right now; try again later",
	},
	COUNTRY_MISMATCH: {
		status: 403,
		message: "Codes to this number cannot be requested from where you are",
	},
	SERVICE_UNAVAILABLE: {
		status: 503,
		message: "A service we depend on is unavailable; try again",
	},
} as const satisfies Record<string, { status: ContentfulStatusCode; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Extra fields an error may carry into its JSON body or headers. */
export interface ErrorDetails {
	/** The request field that failed, for VALIDATION_ERROR and CUSTOMER_EXISTS. */
	field?: string;
	attemptsRemaining?: number;
	/** Seconds; also sent as the `Retry-After` header. */
	retryAfter?: number;
}

/** A failure as plain data, so it can cross a Durable Object RPC boundary. */
export interface Failure extends ErrorDetails {
	ok: false;
	code: ErrorCode;
	message?: string;
	/** For the request's log line only; never in the response. */
	twilioErrorCode?: number;
}

/**
 * The one error type of the API. Code throws it; `renderError` answers it as
 * `{"success":false,"message","code", ...details}`.
 */
export class ApiError extends Error {
	readonly code: ErrorCode;
	readonly status: ContentfulStatusCode;
	readonly details: ErrorDetails;
	/** For the request's log line only; never in the response. */
	twilioErrorCode?: number;

	constructor(code: ErrorCode, message?: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
		super(message ?? ERROR_CODES[code].message, options);
		this.name = "ApiError";
		this.code = code;
		this.status = ERROR_CODES[code].status;
		this.details = details;
	}

	/** Rebuilds an error from a failure returned by a Durable Object. */
	/** Only the details the error model names reach the response; whatever else a failure carries stays internal. */
	static from(failure: Failure): ApiError {
		const { code, message, twilioErrorCode, field, attemptsRemaining, retryAfter } = failure;
		const details: ErrorDetails = {};
		if (field !== undefined) details.field = field;
		if (attemptsRemaining !== undefined) details.attemptsRemaining = attemptsRemaining;
		if (retryAfter !== undefined) details.retryAfter = retryAfter;
		const error = new ApiError(code, message, details);
		error.twilioErrorCode = twilioErrorCode;
		return error;
	}
}

/** Builds a {@link Failure}; the Durable Object returns these instead of throwing. */
export function failure(
	code: ErrorCode,
	details: ErrorDetails & Pick<Failure, "message" | "twilioErrorCode"> = {},
): Failure {
	return { ok: false, code, ...details };
}
