import { OpenAPIHono } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import type { AppEnv } from "./app-env";
import { ApiError } from "./errors";

/**
 * A router whose request validation fails the one way every route fails:
 * a VALIDATION_ERROR naming the first field at fault.
 */
export function createRouter() {
	return new OpenAPIHono<AppEnv>({
		defaultHook: (result) => {
			if (!result.success) throw validationError(result.error);
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

function describe(issue: ZodError["issues"][number]): string {
	if (issue.code === "invalid_type") {
		if (issue.message.endsWith("received undefined")) return "is required";
		return issue.path.length ? `must be a ${issue.expected}` : "must be a JSON object";
	}
	return issue.message;
}
