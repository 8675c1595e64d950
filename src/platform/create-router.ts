import { OpenAPIHono } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import { ApiError } from "../errors/errors";
import type { Phone } from "../phone/parse";
import { phoneProblem } from "../phone/validity";
import type { AppEnv } from "./app-env";

/**
 * A router whose request validation fails the one way every route fails:
 * a VALIDATION_ERROR naming the first field at fault.
 *
 * Once zod accepted a request part, a `phone` in it (always the normalised
 * `phone` field of customers/fields.ts) must also pass PHONE_VALIDATION,
 * which zod cannot see: here, so every route that takes a phone, in its
 * body or its query, applies the same rule before its handler runs.
 */
export function createRouter() {
	return new OpenAPIHono<AppEnv>({
		defaultHook: (result, c) => {
			if (!result.success) throw validationError(result.error);
			const phone = (result.data as { phone?: Phone } | undefined)?.phone;
			if (phone?.e164 === undefined) return;
			const { phoneValidation, smsPolicy } = c.get("config");
			const problem = phoneProblem(phone, { validation: phoneValidation, testNumbers: smsPolicy.testNumbers });
			if (problem) throw fieldError("phone", problem);
		},
	});
}

export function validationError(error: ZodError): ApiError {
	const problems = error.issues.map((issue) => {
		const field = issue.path.length ? issue.path.join(".") : "body";
		return { field, message: `${field}: ${describe(issue)}` };
	});
	return new ApiError("VALIDATION_ERROR", problems.map((p) => p.message).join("; "), {
		field: problems[0]?.field ?? "body",
	});
}

/** The VALIDATION_ERROR of one field, worded like {@link validationError}'s. */
function fieldError(field: string, problem: string): ApiError {
	return new ApiError("VALIDATION_ERROR", `${field}: ${problem}`, { field });
}

function describe(issue: ZodError["issues"][number]): string {
	if (issue.code === "invalid_type") {
		if (issue.message.endsWith("received undefined")) return "is required";
		return issue.path.length ? `must be a ${issue.expected}` : "must be a JSON object";
	}
	return issue.message;
}
