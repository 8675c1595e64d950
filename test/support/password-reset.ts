import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import { post } from "./api";
import { codeIn, type FakeMessage } from "./fake-twilio";
import { smsTo } from "./outbox";

const app = createApp();

/**
 * POST /password-reset/send-otp, then waits for what the handler left
 * running after its answer (the object call and any SMS), so a test can
 * tell "no SMS" from "no SMS yet".
 */
export async function sendReset(phone: string, headers: Record<string, string> = {}): Promise<Response> {
	const ctx = createExecutionContext();
	const request = new Request("http://localhost/api/customers/password-reset/send-otp", {
		method: "POST",
		headers: { "content-type": "application/json", ...headers },
		body: JSON.stringify({ phone }),
	});
	const res = await app.fetch(request, env, ctx);
	await waitOnExecutionContext(ctx);
	return res;
}

export const verifyReset = (phone: string, otp: string, newPassword: string) =>
	post("/api/customers/password-reset/verify", { phone, otp, newPassword });

/** Password-reset texts sent to `phone`, oldest first. */
export async function resetSms(phone: string): Promise<FakeMessage[]> {
	return (await smsTo(phone)).filter((m) => m.body.includes("password reset code"));
}

/** The code in the latest password-reset text to `phone`. */
export async function resetCode(phone: string): Promise<string> {
	const last = (await resetSms(phone)).at(-1);
	if (!last) throw new Error(`no password-reset SMS to ${phone}`);
	return codeIn(last.body);
}
