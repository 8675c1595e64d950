import type { ResendConfig } from "../config/config";
import type { EmailOutcome, EmailSender } from "./email-sender";

/**
 * Sends through Resend's API with plain `fetch`
 * (https://resend.com/docs/api-reference/emails/send-email):
 * `POST {base}/emails`, JSON, Bearer key; 200 `{id}`, or an error
 * `{statusCode, name, message}`. Every failure comes back as an outcome.
 */
export function resendSender(config: ResendConfig): EmailSender {
	const url = `${config.baseUrl}/emails`;
	return {
		async send(email): Promise<EmailOutcome> {
			let res: Response;
			try {
				res = await fetch(url, {
					method: "POST",
					headers: {
						authorization: `Bearer ${config.apiKey}`,
						"content-type": "application/json",
						accept: "application/json",
					},
					body: JSON.stringify({
						from: config.from,
						to: [email.to],
						subject: email.subject,
						text: email.text,
						html: email.html,
					}),
					signal: AbortSignal.timeout(config.timeoutMs),
				});
			} catch {
				return { ok: false };
			}
			const payload = (await res.json().catch(() => null)) as { id?: unknown; name?: unknown } | null;
			if (res.ok && typeof payload?.id === "string") return { ok: true, id: payload.id };
			const providerError = typeof payload?.name === "string" ? payload.name.slice(0, 60) : undefined;
			return { ok: false, providerError, httpStatus: res.status };
		},
	};
}
