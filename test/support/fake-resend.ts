/**
 * A local stand-in for Resend's send-email API
 * (https://resend.com/docs/api-reference/emails/send-email) that answers the
 * way Resend does: `POST /emails` with a Bearer key and a JSON body; 200
 * `{id}`; errors as `{statusCode, name, message}` with Resend's names and
 * statuses (missing_api_key 401, invalid_api_key 403, validation_error 422,
 * rate_limit_exceeded 429, application_error 500).
 *
 * Magic recipients choose a failure (see {@link MAGIC_EMAILS}); every
 * accepted email lands in an inbox tests read over HTTP:
 * `GET /_fake/emails?to=a@b.c`.
 */

export const FAKE_RESEND_KEY = "re_fake_0123456789abcdef";

export const MAGIC_EMAILS = {
	/** 422 validation_error, as Resend answers an address it will not send to. */
	invalid: "invalid@fail.test",
	/** 429 rate_limit_exceeded. */
	rateLimited: "ratelimited@fail.test",
	/** 500 application_error. */
	serverError: "servererror@fail.test",
	/** Never answers within any sane timeout. */
	hang: "hang@fail.test",
} as const;

export interface FakeEmail {
	id: string;
	from: string;
	to: string[];
	subject: string;
	text?: string;
	html?: string;
	createdAt: string;
}

export function createFakeResend(options: { apiKey?: string; hangMs?: number } = {}) {
	const apiKey = options.apiKey ?? FAKE_RESEND_KEY;
	const hangMs = options.hangMs ?? 5_000;
	const emails: FakeEmail[] = [];

	async function fetch(request: Request): Promise<Response> {
		const url = new URL(request.url);
		if (url.pathname === "/_fake/emails") {
			const to = url.searchParams.get("to");
			return Response.json({ emails: emails.filter((e) => !to || e.to.includes(to)) });
		}
		if (url.pathname !== "/emails") return resendError(404, "not_found", "The requested endpoint does not exist.");
		if (request.method !== "POST") return resendError(405, "method_not_allowed", "Method not allowed");
		const auth = request.headers.get("authorization");
		if (!auth) return resendError(401, "missing_api_key", "Missing API key in the authorization header");
		if (auth !== `Bearer ${apiKey}`) return resendError(403, "invalid_api_key", "API key is invalid");
		let body: Partial<FakeEmail> & { to?: string | string[] };
		try {
			body = (await request.json()) as typeof body;
		} catch {
			return resendError(400, "validation_error", "Invalid JSON body");
		}
		const to = typeof body.to === "string" ? [body.to] : body.to;
		for (const field of ["from", "subject"] as const) {
			if (typeof body[field] !== "string" || !body[field])
				return resendError(422, "missing_required_field", `Missing \`${field}\` field.`);
		}
		if (!to?.length) return resendError(422, "missing_required_field", "Missing `to` field.");
		if (!body.text && !body.html) return resendError(422, "validation_error", "Missing `html` or `text` field.");
		switch (to[0]) {
			case MAGIC_EMAILS.invalid:
				return resendError(422, "validation_error", "Invalid `to` field.");
			case MAGIC_EMAILS.rateLimited:
				return resendError(429, "rate_limit_exceeded", "Too many requests. You can only make 2 requests per second.");
			case MAGIC_EMAILS.serverError:
				return resendError(500, "application_error", "An unexpected error occurred.");
			case MAGIC_EMAILS.hang:
				await new Promise((resolve) => setTimeout(resolve, hangMs));
				return resendError(504, "application_error", "Timeout");
		}
		const email: FakeEmail = {
			id: crypto.randomUUID(),
			from: body.from as string,
			to,
			subject: body.subject as string,
			text: body.text,
			html: body.html,
			createdAt: new Date().toISOString(),
		};
		emails.push(email);
		return Response.json({ id: email.id });
	}

	return { fetch, emails };
}

function resendError(statusCode: number, name: string, message: string): Response {
	return Response.json({ statusCode, name, message }, { status: statusCode });
}
