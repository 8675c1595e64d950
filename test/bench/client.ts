import { codeIn, type FakeTwilio } from "../support/fake-twilio.ts";
import type { WranglerDev } from "../support/wrangler-dev.ts";

/** What a registration or sign-in answers, and the email it was made with. */
export interface Tokens {
	customerId: number;
	email: string;
	accessToken: string;
	refreshToken: string;
}

export const PASSWORD = "correct horse battery";

/** The API calls the benchmark makes, against one `wrangler dev` and the fake Twilio that carries its SMS. */
export interface Client {
	call(method: string, path: string, body: unknown, expected: number, accessToken?: string): Promise<unknown>;
	sendOtp(phone: string, expected?: number, registrationId?: string): Promise<unknown>;
	/** verify-otp with the code of the newest SMS to `phone`. */
	verifyOtp(phone: string): Promise<Tokens>;
	/** send-otp then verify-otp for a new phone in `area`. */
	register(area: string): Promise<Tokens>;
	login(email: string, password: string, expected: number): Promise<unknown>;
	/** The code in the newest SMS the fake Twilio accepted for `phone`. */
	latestCode(phone: string): string;
}

let phoneCounter = 0;

/** A valid number no other call returns: the exchange starts at 200, as NANP exchanges must. */
export function newPhone(area: string): string {
	const n = ++phoneCounter;
	return `+1${area}${200 + Math.floor(n / 10_000)}${String(n % 10_000).padStart(4, "0")}`;
}

export const emailOf = (phone: string) => `${phone.slice(1)}@example.com`;

export function createClient(dev: WranglerDev, fake: FakeTwilio): Client {
	const call: Client["call"] = async (method, path, body, expected, accessToken) => {
		const headers: Record<string, string> = accessToken ? { authorization: `Bearer ${accessToken}` } : {};
		if (body !== undefined) headers["content-type"] = "application/json";
		const res = await fetch(dev.url + path, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (res.status !== expected) throw new Error(`${method} ${path}: ${res.status}, expected ${expected}: ${text}`);
		return JSON.parse(text) as unknown;
	};
	const latestCode = (phone: string) => {
		const message = fake.messages.findLast((m) => m.to === phone);
		if (!message) throw new Error(`no SMS to ${phone}`);
		return codeIn(message.body);
	};
	const sendOtp: Client["sendOtp"] = (phone, expected = 200, registrationId) => {
		const body = {
			name: "Bench User",
			email: emailOf(phone),
			phone,
			password: PASSWORD,
			...(registrationId ? { registrationId } : {}),
		};
		return call("POST", "/api/customers/send-otp", body, expected);
	};
	const verifyOtp = async (phone: string): Promise<Tokens> => {
		const body = await call("POST", "/api/customers/verify-otp", { phone, otp: latestCode(phone) }, 201);
		return { ...(body as Omit<Tokens, "email">), email: emailOf(phone) };
	};
	return {
		call,
		sendOtp,
		verifyOtp,
		async register(area) {
			const phone = newPhone(area);
			await sendOtp(phone);
			return verifyOtp(phone);
		},
		login: (email, password, expected) => call("POST", "/api/customers/login", { email, password }, expected),
		latestCode,
	};
}
