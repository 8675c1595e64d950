import { createFakeResend, FAKE_RESEND_KEY, type FakeEmail } from "./fake-resend.ts";
import {
	createFakeTwilio,
	FAKE_ACCOUNT_SID,
	FAKE_AUTH_TOKEN,
	FAKE_FROM,
	type FakeCall,
	type FakeMessage,
} from "./fake-twilio.ts";
import { serveFetch } from "./serve.ts";
import { startWranglerDev, type WranglerDev } from "./wrangler-dev.ts";

/** Where Twilio believes the Worker lives (a tunnel's URL); the fake delivers its callbacks to the local server. */
export const PUBLIC_BASE_URL = "https://verify.example.test";

/** `wrangler dev` wired to the fake Twilio (with signed status callbacks) and the fake Resend, on loopback. */
export interface Stack {
	dev: WranglerDev;
	/** SMS the fake Twilio accepted for `phone`, oldest first. */
	sms(phone: string): Promise<FakeMessage[]>;
	/** Emails the fake Resend accepted for `to`, oldest first. */
	emails(to: string): Promise<FakeEmail[]>;
	/** Makes the fake Twilio refuse the next `count` sends to `to` with this HTTP status and Twilio error code. */
	failSms(to: string, failure: { status: number; code: number; count?: number }): Promise<void>;
	/** Makes the fake Twilio report the next SMS to `to` as `status` after `sent` (`sent`: never delivered). */
	armReceipt(to: string, receipt: { status: "undelivered" | "failed" | "sent"; code?: string }): Promise<void>;
	/** Makes `to` a number WhatsApp does not know: its messages are accepted, then fail with 63003. */
	notOnWhatsApp(to: string): Promise<void>;
	/** How many send requests the fake Twilio has received, accepted or refused. */
	twilioRequests(): Promise<number>;
	/** Voice calls the fake Twilio placed to `phone` (with their TwiML), oldest first. */
	calls(phone: string): Promise<FakeCall[]>;
	stop(): Promise<void>;
}

/**
 * Starts the fakes, then `wrangler dev` in development mode sending through
 * them, with the email fallback on; `vars` adds or overrides settings;
 * `options.config` is another wrangler config (default wrangler.toml).
 */
export async function startStack(vars: Record<string, string> = {}, options: { config?: string } = {}): Promise<Stack> {
	let dev: WranglerDev | undefined;
	const fakeTwilio = createFakeTwilio({
		callbacks: { target: (url) => url.replace(PUBLIC_BASE_URL, dev?.url ?? PUBLIC_BASE_URL) },
	});
	const [twilio, resend] = await Promise.all([serveFetch(fakeTwilio.fetch), serveFetch(createFakeResend().fetch)]);
	const closeFakes = () => Promise.all([twilio.close(), resend.close()]);
	try {
		dev = await startWranglerDev({
			config: options.config,
			vars: {
				ENVIRONMENT: "development",
				TWILIO_API_BASE_URL: twilio.url,
				TWILIO_ACCOUNT_SID: FAKE_ACCOUNT_SID,
				TWILIO_AUTH_TOKEN: FAKE_AUTH_TOKEN,
				TWILIO_PHONE_NUMBER: FAKE_FROM,
				PUBLIC_BASE_URL,
				RESEND_API_BASE_URL: resend.url,
				RESEND_API_KEY: FAKE_RESEND_KEY,
				EMAIL_FROM: "Acme <verify@acme.test>",
				EMAIL_FALLBACK_ENABLED: "true",
				...vars,
			},
		});
	} catch (err) {
		await closeFakes();
		throw err;
	}
	const started = dev;
	return {
		dev: started,
		async sms(phone) {
			const res = await fetch(`${twilio.url}/_fake/messages?to=${encodeURIComponent(phone)}`);
			return ((await res.json()) as { messages: FakeMessage[] }).messages;
		},
		async emails(to) {
			const res = await fetch(`${resend.url}/_fake/emails?to=${encodeURIComponent(to)}`);
			return ((await res.json()) as { emails: FakeEmail[] }).emails;
		},
		async failSms(to, failure) {
			const res = await fetch(`${twilio.url}/_fake/failures`, {
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify({ to, ...failure }),
			});
			if (!res.ok) throw new Error(`the fake Twilio refused to arm a failure: ${res.status}`);
		},
		async armReceipt(to, receipt) {
			await postFake(`${twilio.url}/_fake/receipts`, { to, ...receipt });
		},
		async notOnWhatsApp(to) {
			await postFake(`${twilio.url}/_fake/whatsapp-absent`, { to });
		},
		async calls(phone) {
			const res = await fetch(`${twilio.url}/_fake/calls?to=${encodeURIComponent(phone)}`);
			return ((await res.json()) as { calls: FakeCall[] }).calls;
		},
		async twilioRequests() {
			const res = await fetch(`${twilio.url}/_fake/messages?to=none`);
			return ((await res.json()) as { requests: number }).requests;
		},
		async stop() {
			await Promise.all([started.stop(), closeFakes()]);
		},
	};
}

async function postFake(url: string, body: unknown): Promise<void> {
	const res = await fetch(url, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify(body),
	});
	if (!res.ok) throw new Error(`the fake refused ${new URL(url).pathname}: ${res.status}`);
}

/** POSTs `body` as JSON to `/api/customers/<path>` of a running `wrangler dev`. */
export function postCustomers(
	dev: WranglerDev | undefined,
	path: string,
	body: unknown,
	headers: Record<string, string> = {},
): Promise<Response> {
	if (!dev) throw new Error("wrangler dev is not running");
	return fetch(`${dev.url}/api/customers/${path}`, {
		method: "POST",
		headers: { "content-type": "application/json", ...headers },
		body: JSON.stringify(body),
	});
}
