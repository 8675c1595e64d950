import type { TurnstileConfig } from "../config/config";
import { log } from "../platform/log";

/**
 * `missing`: the client sent no token. `invalid`: Cloudflare refused the token
 * (forged, expired, already redeemed), or accepted one solved on a hostname
 * other than the expected one. `unavailable`: no verdict on the token,
 * because siteverify failed or refused our request; not the client's fault.
 */
export type TurnstileOutcome =
	| { ok: true }
	| { ok: false; reason: "missing" | "invalid" | "unavailable"; errorCodes: string[] };

/** Cloudflare documents tokens as at most 2048 characters; anything longer cannot be genuine. */
const MAX_TOKEN_LENGTH = 2048;

/**
 * Codes that describe our request or Cloudflare itself rather than the token:
 * a missing or wrong secret (including a test secret sent a real token),
 * a request siteverify could not parse, or an error on Cloudflare's side.
 */
const NOT_THE_CLIENTS_FAULT = new Set([
	"missing-input-secret",
	"invalid-input-secret",
	"bad-request",
	"internal-error",
]);

/**
 * Validates a Turnstile token with siteverify (form-encoded POST, plain `fetch`).
 * Never throws: network errors, timeouts, non-2xx and unreadable answers are `unavailable`.
 */
export async function verifyTurnstile(
	config: TurnstileConfig,
	token: string | undefined,
	remoteIp: string | null,
	fetcher: typeof fetch = fetch,
): Promise<TurnstileOutcome> {
	if (!token) return { ok: false, reason: "missing", errorCodes: [] };
	// Refused locally so junk never costs a round trip; siteverify would reject it anyway.
	if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "invalid", errorCodes: [] };

	const form = new URLSearchParams({ secret: config.secretKey, response: token });
	// Optional for Cloudflare, but it ties the token to the visitor who solved the challenge.
	if (remoteIp) form.set("remoteip", remoteIp);

	let payload: { success?: unknown; "error-codes"?: unknown; hostname?: unknown };
	try {
		const res = await fetcher(config.verifyUrl, {
			method: "POST",
			headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
			body: form,
			signal: AbortSignal.timeout(config.timeoutMs),
		});
		if (!res.ok) return unavailable([]);
		payload = (await res.json()) as typeof payload;
	} catch {
		// Network failure, timeout, or a body that is not JSON (an HTML error page from a proxy).
		return unavailable([]);
	}
	if (typeof payload !== "object" || payload === null || typeof payload.success !== "boolean") {
		return unavailable([]);
	}
	const codes = Array.isArray(payload["error-codes"])
		? payload["error-codes"].filter((c): c is string => typeof c === "string")
		: [];
	if (payload.success) return hostnameRefusal(config, payload.hostname) ?? { ok: true };
	if (codes.some((c) => NOT_THE_CLIENTS_FAULT.has(c))) return unavailable(codes);
	return { ok: false, reason: "invalid", errorCodes: codes };
}

/**
 * A genuine token solved on another site (one sharing our sitekey, or a
 * solving farm's page) proves nothing about this client: refused like an
 * invalid one, and logged, since it means someone is trying. Hostnames
 * compare without case; the token is never logged.
 */
function hostnameRefusal(config: TurnstileConfig, reported: unknown): TurnstileOutcome | null {
	const expected = config.expectedHostname;
	if (!expected) return null;
	const hostname = typeof reported === "string" ? reported.slice(0, 253) : null;
	if (hostname?.toLowerCase() === expected.toLowerCase()) return null;
	log("warn", "turnstile_hostname_mismatch", { expected, hostname });
	return { ok: false, reason: "invalid", errorCodes: [] };
}

function unavailable(errorCodes: string[]): TurnstileOutcome {
	return { ok: false, reason: "unavailable", errorCodes };
}
