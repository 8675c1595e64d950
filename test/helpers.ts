import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { codeIn, type FakeMessage } from "./fakes/fake-twilio";

export const TWILIO = "http://twilio.test";

let counter = 0;
/** A phone number no other test uses (per file: prefix with a file-specific area code). */
export function uniquePhone(area = "415"): string {
	counter++;
	return `+1${area}${String(Date.now() % 1000).padStart(3, "0")}${String(counter).padStart(4, "0")}`;
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
		password: "correct horse battery",
		...overrides,
	};
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
