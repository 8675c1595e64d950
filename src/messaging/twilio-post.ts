import type { TwilioConfig } from "../config/config";
import type { SendOutcome } from "./sms-sender";
import { failureReason } from "./twilio-errors";

/**
 * One form-encoded POST to a Twilio REST resource with plain `fetch`:
 * `{base}/2010-04-01/Accounts/{sid}/{resource}.json`, Basic auth. Twilio
 * answers 201 with the resource (`sid`, `status`) or its error JSON
 * (`code`, `message`). Every failure (HTTP error, timeout, network) comes back as an outcome.
 */
export async function postToTwilio(
	config: TwilioConfig,
	resource: "Messages" | "Calls",
	form: URLSearchParams,
): Promise<SendOutcome> {
	const url = `${config.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/${resource}.json`;
	let res: Response;
	try {
		res = await fetch(url, {
			method: "POST",
			headers: {
				authorization: `Basic ${btoa(`${config.accountSid}:${config.authToken}`)}`,
				"content-type": "application/x-www-form-urlencoded",
				accept: "application/json",
			},
			body: form,
			signal: AbortSignal.timeout(config.timeoutMs),
		});
	} catch {
		return { ok: false, reason: "failed" };
	}
	const payload = (await res.json().catch(() => null)) as { sid?: unknown; status?: unknown; code?: unknown } | null;
	if (res.ok && typeof payload?.sid === "string")
		return { ok: true, id: payload.sid, status: typeof payload.status === "string" ? payload.status : "queued" };
	const providerCode = typeof payload?.code === "number" ? payload.code : undefined;
	return { ok: false, reason: failureReason(providerCode), providerCode, httpStatus: res.status };
}
