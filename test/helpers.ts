import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { twilioSignature } from "../src/delivery/twilio-signature";
import type { FakeEmail } from "./fakes/fake-resend";
import { codeIn, FAKE_AUTH_TOKEN, type FakeMessage } from "./fakes/fake-twilio";

export const TWILIO = "http://twilio.test";
export const RESEND = "http://resend.test";
/** Where Twilio posts delivery reports; the Worker believes it lives at env.PUBLIC_BASE_URL. */
export const STATUS_CALLBACK_URL = `${env.PUBLIC_BASE_URL}/api/webhooks/twilio/message-status`;
export const PASSWORD = "correct horse battery";

let counter = 0;
/**
 * A valid phone number no other test uses (per file: prefix with a file-specific
 * area code that libphonenumber knows, like 212; 611 or 690 make invalid numbers).
 */
export function uniquePhone(area = "415"): string {
	counter++;
	// A NANP exchange starts with 2–9: one starting with 0 or 1 is invalid, and refused.
	const exchange = 200 + (Date.now() % 800);
	return `+1${area}${exchange}${String(counter).padStart(4, "0")}`;
}

export function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
	return exports.default.fetch(`http://localhost${path}`, {
		method: "POST",
		headers: { "content-type": "application/json", ...headers },
		body: typeof body === "string" ? body : JSON.stringify(body),
	});
}

export function registration(phone: string, overrides: Record<string, unknown> = {}) {
	return {
		name: "Ada Lovelace",
		email: `${phone.slice(1)}@example.com`,
		phone,
		password: PASSWORD,
		...overrides,
	};
}

/** The three endpoints, as a client calls them. */
export const sendOtp = (phone: string, overrides: Record<string, unknown> = {}) =>
	post("/api/customers/send-otp", registration(phone, overrides));
export const verifyOtp = (phone: string, otp: string) => post("/api/customers/verify-otp", { phone, otp });
export const resendOtp = (phone: string, channel?: "sms" | "email") =>
	post("/api/customers/resend-otp", channel ? { phone, channel } : { phone });

/** A registration pending for a fresh phone, sent at `at` on the object's clock, with its code. */
export async function pendingRegistration(area: string, at: number, overrides: Record<string, unknown> = {}) {
	const phone = uniquePhone(area);
	await setClock(phone, at);
	const res = await sendOtp(phone, overrides);
	if (res.status !== 200) throw new Error(`send-otp answered ${res.status}: ${await res.text()}`);
	return { phone, code: await lastCode(phone) };
}

export async function smsTo(phone: string): Promise<FakeMessage[]> {
	const res = await fetch(`${TWILIO}/_fake/messages?to=${encodeURIComponent(phone)}`);
	const { messages } = (await res.json()) as { messages: FakeMessage[] };
	return messages;
}

/** The code in the latest SMS sent to `phone`. */
export async function lastCode(phone: string): Promise<string> {
	const messages = await smsTo(phone);
	const last = messages.at(-1);
	if (!last) throw new Error(`no SMS to ${phone}`);
	return codeIn(last.body);
}

export function challengeStub(phone: string) {
	return env.PHONE_CHALLENGE.get(env.PHONE_CHALLENGE.idFromName(phone));
}

/** Moves the Durable Object's clock for `phone` to `ms` since the epoch. */
export async function setClock(phone: string, ms: number): Promise<void> {
	await runInDurableObject(challengeStub(phone), (instance) => {
		(instance as unknown as { clock: () => number }).clock = () => ms;
	});
}

/** A code that is certainly not `code`. */
export function wrongCode(code: string): string {
	return code === "000000" ? "000001" : "000000";
}

/** Makes the next `count` SMS to `phone` fail at the fake Twilio with `status`/`code`. */
export async function failNextSms(phone: string, status = 500, code = 20500, count = 1): Promise<void> {
	await fetch(`${TWILIO}/_fake/failures`, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({ to: phone, status, code, count }),
	});
}

/** The Durable Object's stored row for `phone` and `purpose`, or null when it holds none. */
export async function storedChallenge(
	phone: string,
	purpose: "register" | "reset" = "register",
): Promise<Record<string, unknown> | null> {
	return runInDurableObject(challengeStub(phone), (_, state) => {
		const tables = state.storage.sql
			.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'challenges'")
			.toArray();
		if (tables.length === 0) return null;
		return state.storage.sql.exec("SELECT * FROM challenges WHERE purpose = ?", purpose).toArray()[0] ?? null;
	});
}

export async function customerCount(): Promise<number> {
	const row = await env.DB.prepare("SELECT count(*) AS n FROM customers").first<{ n: number }>();
	return row?.n ?? 0;
}

/** A customer registered through the API (send-otp, verify-otp), with the tokens verify-otp returned. */
export async function registeredCustomer(area: string, overrides: Record<string, unknown> = {}) {
	const phone = uniquePhone(area);
	const sent = await sendOtp(phone, overrides);
	if (sent.status !== 200) throw new Error(`send-otp answered ${sent.status}: ${await sent.text()}`);
	const verified = await verifyOtp(phone, await lastCode(phone));
	if (verified.status !== 201) throw new Error(`verify-otp answered ${verified.status}: ${await verified.text()}`);
	const body = (await verified.json()) as { customerId: number; accessToken: string; refreshToken: string };
	const details = registration(phone, overrides) as { email: string; password: string; name: string };
	return { phone, email: details.email, password: details.password, name: details.name, ...body };
}

export const login = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
	post("/api/customers/login", body, headers);

/** A request with `Authorization: Bearer <token>`; a body makes it JSON. */
export function withToken(
	path: string,
	token: string,
	init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
	const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...init.headers };
	if (init.body !== undefined) headers["content-type"] = "application/json";
	return exports.default.fetch(`http://localhost${path}`, {
		method: init.method ?? "GET",
		headers,
		body: init.body === undefined ? undefined : JSON.stringify(init.body),
	});
}

/** Moves the LoginThrottle object's clock for `key` (`customer:<id>`, `unknown:<email>`, `ip:<address>`). */
export async function setThrottleClock(key: string, ms: number): Promise<void> {
	const stub = env.LOGIN_THROTTLE.get(env.LOGIN_THROTTLE.idFromName(key));
	await runInDurableObject(stub, (instance) => {
		(instance as unknown as { clock: () => number }).clock = () => ms;
	});
}

export async function emailsTo(address: string): Promise<FakeEmail[]> {
	const res = await fetch(`${RESEND}/_fake/emails?to=${encodeURIComponent(address)}`);
	const { emails } = (await res.json()) as { emails: FakeEmail[] };
	return emails;
}

/** The code in the latest email sent to `address`, as a person reading it would find it. */
export async function lastEmailCode(address: string): Promise<string> {
	const last = (await emailsTo(address)).at(-1);
	if (!last?.text) throw new Error(`no email to ${address}`);
	return codeIn(last.text);
}

/**
 * Posts a Twilio status callback as Twilio would: form-encoded, signed with
 * the auth token over `url` (default: the configured public URL) and the
 * params. `signature` replaces the computed one; `sign` false sends none.
 */
export async function statusCallback(
	params: Record<string, string>,
	options: { url?: string; signature?: string; sign?: boolean; authToken?: string } = {},
): Promise<Response> {
	const url = options.url ?? STATUS_CALLBACK_URL;
	const form = new URLSearchParams(params);
	const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
	if (options.sign !== false)
		headers["x-twilio-signature"] =
			options.signature ?? (await twilioSignature(options.authToken ?? FAKE_AUTH_TOKEN, url, form));
	return exports.default.fetch(url, { method: "POST", headers, body: form.toString() });
}

/** The Twilio SID of the latest SMS sent to `phone`. */
export async function lastSid(phone: string): Promise<string> {
	const last = (await smsTo(phone)).at(-1);
	if (!last) throw new Error(`no SMS to ${phone}`);
	return last.sid;
}
