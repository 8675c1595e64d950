import { z } from "@hono/zod-openapi";
import { ERROR_CODES, type ErrorCode } from "../errors/errors";

export const ErrorResponse = z
	.object({
		success: z.literal(false),
		message: z.string(),
		code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
		field: z.string().optional(),
		attemptsRemaining: z.number().int().optional(),
		retryAfter: z.number().int().optional(),
	})
	.openapi("Error");

/** OpenAPI `responses` entries for the error codes a route can answer with. */
export function errorResponses(...codes: ErrorCode[]) {
	const byStatus = new Map<number, ErrorCode[]>();
	for (const code of [
		...codes,
		"VALIDATION_ERROR",
		"PAYLOAD_TOO_LARGE",
		"UNSUPPORTED_MEDIA_TYPE",
		"INTERNAL_ERROR",
	] as const) {
		const status = ERROR_CODES[code].status;
		byStatus.set(status, [...new Set([...(byStatus.get(status) ?? []), code])]);
	}
	return Object.fromEntries(
		[...byStatus].map(([status, list]) => [
			status,
			{ description: list.join(", "), content: { "application/json": { schema: ErrorResponse } } },
		]),
	);
}
