import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { createApp } from "../src/app";
import { twilioSignature } from "../src/messaging/twilio-signature";
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
	const { headers: _headers, ...fields } = overrides;
	return {
		name: "Ada Lovelace",
		email: `${phone.slice(1)}@example.com`,
		phone,
		password: PASSWORD,
		...fields,
	};
}

/**
 * The registrationId each phone's starter got last, as the registration page
 * keeps it: the helpers below send it back like the page does.
 */
const registrationIds = new Map<string, string>();

/** The registrationId send-otp last answered for `phone` in this file. */
export const registrationIdOf = (phone: string) => registrationIds.get(phone);

/** `undefined`: the id the starter holds (if any); null: none (the seed's id-less contract); a string: that one. */
export type IdChoice = string | null | undefined;

function withId(phone: string, body: Record<string, unknown>, id: IdChoice): Record<string, unknown> {
	const chosen = id === undefined ? registrationIds.get(phone) : id;
	return chosen === null || chosen === undefined ? body : { ...body, registrationId: chosen };
}

async function remember(phone: string, res: Response): Promise<Response> {
	if (res.ok) {
		const { registrationId } = (await res.clone().json()) as { registrationId?: string };
		if (registrationId) registrationIds.set(phone, registrationId);
	}
	return res;
}

/**
 * The three endpoints, as the starter's client calls them: with the
 * registrationId it was given (overrides may set `registrationId`, or null for none).
 */
export async function sendOtp(phone: string, overrides: Record<string, unknown> = {}): Promise<Response> {
	const { registrationId, ...details } = overrides;
	const body = withId(phone, registration(phone, details), registrationId as IdChoice);
	return remember(phone, await post("/api/customers/send-otp", body, headersOf(overrides)));
}
export const verifyOtp = (phone: string, otp: string, id?: IdChoice, headers: Record<string, string> = {}) =>
	post("/api/customers/verify-otp", withId(phone, { phone, otp }, id), headers);
export const resendOtp = async (
	phone: string,
	channel?: "sms" | "email",
	id?: IdChoice,
	headers: Record<string, string> = {},
) =>
	remember(
		phone,
		await post("/api/customers/resend-otp", withId(phone, channel ? { phone, channel } : { phone }, id), headers),
	);

/** Request headers smuggled in a details object as `headers` (e.g. a CF-Connecting-IP). */
function headersOf(overrides: Record<string, unknown>): Record<string, string> {
	return (overrides.headers as Record<string, string> | undefined) ?? {};
}

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

/**
 * The Durable Object's stored row of a code of `phone`: the reset, or the
 * registration `id` (default: the latest one sent); null when it holds none.
 */
export async function storedChallenge(
	phone: string,
	purpose: "register" | "reset" = "register",
	id?: string,
): Promise<Record<string, unknown> | null> {
	return runInDurableObject(challengeStub(phone), (_, state) => {
		if (!hasTable(state, "codes")) return null;
		const sql = state.storage.sql;
		if (purpose === "reset") return sql.exec("SELECT * FROM codes WHERE id = 'reset'").toArray()[0] ?? null;
		const rows =
			id === undefined
				? sql.exec("SELECT * FROM codes WHERE purpose = 'register' ORDER BY last_sent_at DESC LIMIT 1")
				: sql.exec("SELECT * FROM codes WHERE id = ?", id);
		return rows.toArray()[0] ?? null;
	});
}

/** The times of the stored marks (`send` or `fail`) of one flow of `phone`, oldest first; by `network` when given. */
export async function storedMarks(
	phone: string,
	kind: "send" | "fail",
	purpose: "register" | "reset" = "register",
	network?: string,
): Promise<number[]> {
	return runInDurableObject(challengeStub(phone), (_, state) => {
		if (!hasTable(state, "marks")) return [];
		return state.storage.sql
			.exec<{ at: number; network: string }>(
				"SELECT at, network FROM marks WHERE purpose = ? AND kind = ? ORDER BY at",
				purpose,
				kind,
			)
			.toArray()
			.filter((m) => network === undefined || m.network === network)
			.map((m) => m.at);
	});
}

function hasTable(state: DurableObjectState, name: string): boolean {
	return (
		state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", name).toArray().length >
		0
	);
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

/**
 * One client on one network, as the registration page runs it: every request
 * carries its `CF-Connecting-IP`, and it sends back the registrationId it was
 * given for a phone, never another's (`id` null: none; a string: that one).
 * The app runs over the test bindings with `vars` replaced (the Durable
 * Objects keep the real ones); the per-address send limits are off unless
 * `vars` turns them on, so the phone's own rules alone decide. Each request
 * waits for what it left running (waitUntil), so a test sees its effects.
 * `cf` is what Cloudflare would say of the client (`{ country: "JM", asn: 64500 }`).
 */
export function clientOn(ip: string, vars: Record<string, string> = {}, cf?: Record<string, unknown>) {
	const app = createApp();
	const bindings = { ...env, IP_RATE_LIMITS: "off", ...vars } as unknown as Env;
	const ids = new Map<string, string>();
	const request = async (method: string, path: string, body?: Record<string, unknown>) => {
		const ctx = createExecutionContext();
		const headers: Record<string, string> = { "CF-Connecting-IP": ip };
		if (body) headers["content-type"] = "application/json";
		const init = { method, headers, body: body && JSON.stringify(body), ...(cf && { cf: cf as RequestInit["cf"] }) };
		const res = await app.fetch(new Request(`http://localhost${path}`, init), bindings, ctx);
		await waitOnExecutionContext(ctx);
		return res;
	};
	const withOwnId = (phone: string, body: Record<string, unknown>, id: IdChoice) => {
		const chosen = id === undefined ? ids.get(phone) : id;
		return chosen === null || chosen === undefined ? body : { ...body, registrationId: chosen };
	};
	const keep = async (phone: string, res: Response) => {
		if (res.ok) ids.set(phone, ((await res.clone().json()) as { registrationId: string }).registrationId);
		return res;
	};
	return {
		ip,
		/** The registrationId this client holds for `phone`. */
		idFor: (phone: string) => ids.get(phone),
		send: async (phone: string, details: Record<string, unknown> = {}, id?: IdChoice) =>
			keep(phone, await request("POST", "/api/customers/send-otp", withOwnId(phone, registration(phone, details), id))),
		resend: (phone: string, id?: IdChoice, channel?: "sms" | "email") =>
			request("POST", "/api/customers/resend-otp", withOwnId(phone, channel ? { phone, channel } : { phone }, id)),
		verify: (phone: string, otp: string, id?: IdChoice) =>
			request("POST", "/api/customers/verify-otp", withOwnId(phone, { phone, otp }, id)),
		status: (phone: string, id?: IdChoice) => {
			const query = new URLSearchParams(withOwnId(phone, { phone }, id) as Record<string, string>);
			return request("GET", `/api/customers/otp-status?${query}`);
		},
		sendReset: (phone: string) => request("POST", "/api/customers/password-reset/send-otp", { phone }),
		verifyReset: (phone: string, otp: string, newPassword: string) =>
			request("POST", "/api/customers/password-reset/verify", { phone, otp, newPassword }),
	};
}

export type Client = ReturnType<typeof clientOn>;

/** The stored registrations of `phone` (every column), oldest send first. */
export async function storedRegistrations(phone: string): Promise<Record<string, unknown>[]> {
	return runInDurableObject(challengeStub(phone), (_, state) => {
		if (!hasTable(state, "codes")) return [];
		return state.storage.sql.exec("SELECT * FROM codes WHERE purpose = 'register' ORDER BY last_sent_at").toArray();
	});
}

/** What the RollingCounter `scope` holds in its window (e.g. `guess-day:<network>`, `cc:44`). */
export async function counterTotal(scope: string): Promise<number> {
	const stub = env.COUNTERS.get(env.COUNTERS.idFromName(scope));
	return runInDurableObject(stub, async (_, state) => {
		const buckets = (await state.storage.get<Record<string, number>>("buckets")) ?? {};
		return Object.values(buckets).reduce((a, b) => a + b, 0);
	});
}
