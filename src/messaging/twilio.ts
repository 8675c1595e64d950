import type { TwilioConfig } from "../config/config";
import type { SendOutcome, SmsSender } from "./sms-sender";
import { failureReason } from "./twilio-errors";

/**
 * Sends through Twilio's Messages API with plain `fetch`:
 * `POST {base}/2010-04-01/Accounts/{sid}/Messages.json`, form-encoded, Basic auth.
 * Every failure (HTTP error, timeout, network) comes back as an outcome.
 */
export function twilioSender(config: TwilioConfig): SmsSender {
	const url = `${config.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
	const authorization = `Basic ${btoa(`${config.accountSid}:${config.authToken}`)}`;

	return {
		async send(to, body, statusCallback): Promise<SendOutcome> {
			const form = new URLSearchParams({ To: to, Body: body });
			if (statusCallback) form.set("StatusCallback", statusCallback);
			if (config.messagingServiceSid) form.set("MessagingServiceSid", config.messagingServiceSid);
			else if (config.from) form.set("From", config.from);

			let res: Response;
			try {
				res = await fetch(url, {
					method: "POST",
					headers: {
						authorization,
						"content-type": "application/x-www-form-urlencoded",
						accept: "application/json",
					},
					body: form,
					signal: AbortSignal.timeout(config.timeoutMs),
				});
			} catch {
				return { ok: false, reason: "failed" };
			}
			const payload = (await res.json().catch(() => null)) as {
				sid?: unknown;
				status?: unknown;
				code?: unknown;
			} | null;
			if (res.ok && typeof payload?.sid === "string")
				return { ok: true, id: payload.sid, status: typeof payload.status === "string" ? payload.status : "queued" };
			const providerCode = typeof payload?.code === "number" ? payload.code : undefined;
			const reason = failureReason(providerCode);
			return { ok: false, reason, providerCode, httpStatus: res.status };
		},
	};
}
