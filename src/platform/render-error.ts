import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ApiError } from "../errors/errors";
import { errorMessage, log } from "./log";
import type { RequestLogFields } from "./request-log";

/**
 * The app's `onError`: the only place an error becomes a response.
 * Unknown errors are logged with their root cause's stack (never Drizzle's
 * query parameters) and answered as a bare 500.
 */
export function renderError(err: Error, c: Context): Response {
	const error = toApiError(err);
	const fields = c.get("log") as RequestLogFields | undefined;
	if (fields) {
		fields.errorCode = error.code;
		if (error.twilioErrorCode !== undefined) fields.twilioErrorCode = error.twilioErrorCode;
	}
	// Other 5xx are a dependency's failure: whoever saw it logged the details, the request line the code.
	// A configuration error's cause names the settings at fault; the client gets only the generic message.
	if (error.code === "INTERNAL_ERROR" || error.code === "CONFIGURATION_ERROR") {
		log("error", "request_failed", {
			requestId: c.get("requestId"),
			code: error.code,
			error: errorMessage(err, { stack: error.code === "INTERNAL_ERROR" }),
		});
	}
	const { retryAfter } = error.details;
	if (retryAfter !== undefined) c.header("Retry-After", String(retryAfter));
	return c.json(
		{
			success: false,
			message: error.message,
			code: error.code,
			...error.details,
		},
		error.status,
	);
}

function toApiError(err: Error): ApiError {
	if (err instanceof ApiError) return err;
	// Hono's own validators throw 400 for a body that is not JSON.
	if (err instanceof HTTPException && err.status === 400) {
		return new ApiError("VALIDATION_ERROR", "The request body is not valid JSON", {
			field: "body",
		});
	}
	return new ApiError("INTERNAL_ERROR", undefined, {}, { cause: err });
}
