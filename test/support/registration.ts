import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import { post, registration, uniquePhone } from "./api";
import { setClock } from "./objects";
import { lastCode } from "./outbox";

/** The registration flow (send-otp, verify-otp, resend-otp) as the registration page runs it. */

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
export const resendOtp = async (phone: string, channel?: string, id?: IdChoice, headers: Record<string, string> = {}) =>
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

export type Customer = Awaited<ReturnType<typeof registeredCustomer>>;

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
		resend: (phone: string, id?: IdChoice, channel?: string) =>
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
