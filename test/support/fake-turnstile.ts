/**
 * A local stand-in for Cloudflare Turnstile's siteverify API that answers the
 * way siteverify does: `POST /turnstile/v0/siteverify`, form-encoded or JSON
 * (`secret`, `response`, `remoteip`, `idempotency_key`), and always a JSON
 * body with `success` and `error-codes`.
 *
 * Cloudflare's documented test secrets behave as documented (see
 * {@link TEST_SECRETS}): they accept only the dummy token a test sitekey
 * produces, and answer `invalid-input-secret` for any other token.
 * {@link FAKE_TURNSTILE_SECRET} behaves like a production secret: it accepts
 * only tokens from `issueToken()`, each once, for 300 seconds.
 * A success reports the `hostname` the challenge was solved on, like
 * siteverify: the fake's `hostname` (Cloudflare's dummy sitekeys report
 * `example.com`), or the one a token was issued for.
 * The token {@link FAKE_INTERNAL_ERROR_TOKEN} makes siteverify report an internal error.
 * It also serves a stand-in for the widget's script, `GET /turnstile/v0/api.js`
 * (see fake-turnstile-widget.ts), for browser tests of the pages.
 *
 * Web-standard APIs only, so it runs as miniflare's `outboundService` inside
 * vitest and behind `serveFetch` for `wrangler dev`.
 */

import { widgetResponse } from "./fake-turnstile-widget.ts";
import { randomHex } from "./random-hex.ts";

/** A "production" secret: tokens must come from `issueToken()`. */
export const FAKE_TURNSTILE_SECRET = "0x4AAAAAAAFakeTurnstileSecretKey000";

/** Cloudflare's dummy secret keys. */
export const TEST_SECRETS = {
	/** Always passes. */
	pass: "1x0000000000000000000000000000000AA",
	/** Always fails: `invalid-input-response`. */
	fail: "2x0000000000000000000000000000000AA",
	/** Yields a "token already spent" error: `timeout-or-duplicate`. */
	spent: "3x0000000000000000000000000000000AA",
} as const;

/** The response token Cloudflare's dummy sitekeys produce. */
export const DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";

/** Answered with `internal-error`, whatever the secret. */
export const FAKE_INTERNAL_ERROR_TOKEN = "fake-internal-error";

/** Cloudflare: a token is valid for 300 seconds after it is generated. */
const TOKEN_TTL_MS = 300_000;

export interface FakeTurnstileCall {
	secret: string | null;
	response: string | null;
	remoteip: string | null;
}

export interface FakeTurnstileOptions {
	/**
	 * The `hostname` reported on success, unless a token was issued for another.
	 * @default "example.com"
	 */
	hostname?: string;
}

export interface IssueOptions {
	/** @default Date.now() */
	issuedAt?: number;
	/** The site the widget ran on, as siteverify will report it. @default the fake's hostname */
	hostname?: string;
}

export function createFakeTurnstile(options: FakeTurnstileOptions = {}) {
	const hostname = options.hostname ?? "example.com";
	const calls: FakeTurnstileCall[] = [];
	/** Tokens issued for {@link FAKE_TURNSTILE_SECRET}, with when and on which site they were solved. */
	const issued = new Map<string, { issuedAt: number; hostname: string }>();
	const redeemed = new Set<string>();

	/** A fresh single-use token, as a widget using the fake's sitekey would hand the browser. */
	function issueToken(options: IssueOptions = {}): string {
		const token = `0.${randomHex(64)}`;
		issued.set(token, { issuedAt: options.issuedAt ?? Date.now(), hostname: options.hostname ?? hostname });
		return token;
	}

	async function fetch(request: Request): Promise<Response> {
		const widget = widgetResponse(request);
		if (widget) return widget;
		const url = new URL(request.url);
		if (url.pathname !== "/turnstile/v0/siteverify") return new Response("Not Found", { status: 404 });
		if (request.method !== "POST")
			return new Response("Method Not Allowed", { status: 405, headers: { allow: "POST" } });

		const params = await readParams(request);
		if (!params) return failure(["bad-request"]);
		const { secret, response, remoteip } = params;
		calls.push({ secret, response, remoteip });

		const codes: string[] = [];
		if (!secret) codes.push("missing-input-secret");
		else if (secret !== FAKE_TURNSTILE_SECRET && !isTestSecret(secret)) codes.push("invalid-input-secret");
		if (!response) codes.push("missing-input-response");
		if (!secret || !response || codes.length > 0) return failure(codes);
		if (response === FAKE_INTERNAL_ERROR_TOKEN) return failure(["internal-error"]);

		if (isTestSecret(secret)) {
			// Cloudflare: a testing secret key with a non-testing response is `invalid-input-secret`.
			if (response !== DUMMY_TOKEN) return failure(["invalid-input-secret"]);
			if (secret === TEST_SECRETS.fail) return failure(["invalid-input-response"]);
			if (secret === TEST_SECRETS.spent) return failure(["timeout-or-duplicate"]);
			return success(hostname);
		}

		const token = issued.get(response);
		if (token === undefined) return failure(["invalid-input-response"]);
		if (redeemed.has(response) || Date.now() - token.issuedAt > TOKEN_TTL_MS) return failure(["timeout-or-duplicate"]);
		redeemed.add(response);
		return success(token.hostname);
	}

	function success(solvedOn: string): Response {
		return Response.json({
			success: true,
			challenge_ts: new Date().toISOString(),
			hostname: solvedOn,
			"error-codes": [],
			action: "",
			cdata: "",
		});
	}

	return { fetch, calls, issueToken };
}

export type FakeTurnstile = ReturnType<typeof createFakeTurnstile>;

function isTestSecret(secret: string): boolean {
	return (Object.values(TEST_SECRETS) as string[]).includes(secret);
}

/** The POST parameters from a form-encoded, multipart or JSON body; null when unreadable. */
async function readParams(request: Request): Promise<FakeTurnstileCall | null> {
	const type = request.headers.get("content-type") ?? "";
	try {
		if (type.startsWith("application/json")) {
			const body = (await request.json()) as Record<string, unknown> | null;
			if (typeof body !== "object" || body === null) return null;
			const field = (name: string) => (typeof body[name] === "string" ? body[name] : null);
			return { secret: field("secret"), response: field("response"), remoteip: field("remoteip") };
		}
		if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
			const form = await request.formData();
			const field = (name: string) => {
				const value = form.get(name);
				return typeof value === "string" ? value : null;
			};
			return { secret: field("secret"), response: field("response"), remoteip: field("remoteip") };
		}
	} catch {
		return null;
	}
	return null;
}

/** Cloudflare documents the body of a refusal, not its status; the fake answers 200. */
function failure(errorCodes: string[]): Response {
	return Response.json({ success: false, "error-codes": errorCodes, messages: [] });
}
