import { parsePhoneNumberFromString } from "libphonenumber-js";
import { codeIn, MAGIC_NUMBERS } from "../support/fake-twilio.ts";
import type { Stack } from "../support/stack.ts";
import { eventually } from "../support/wait.ts";

/**
 * A short simulated run over `wrangler dev` with the fake Twilio, for the
 * operator console to chart: people who register (and verify), one who never
 * types the code, an unreachable handset (undelivered, 30003), a send Twilio
 * refuses (21610), and a botnet pumping +1 876 until the range guard
 * (shipped settings) throttles it.
 */

export const CONSOLE_TOKEN = "browser-console-admin-token-0123456789abcdef";

/** The settings the run needs on top of the stack's. */
export const CONSOLE_VARS = {
	ADMIN_API_TOKEN: CONSOLE_TOKEN,
	PASSWORD_SCRYPT_N: "1024",
	PASSWORD_SCRYPT_P: "1",
};

/** What the run did, for the tests to find on the page. */
export interface RunFacts {
	verified: number;
	pumpedSent: number;
	pumpedRefused: number;
}

/** `count` valid numbers of the NANP area `area`, each in an exchange of its own. */
export function nanp(area: string, count: number, skip = 0): string[] {
	const found: string[] = [];
	for (let exchange = 200 + skip; found.length < count && exchange < 1000; exchange++) {
		const phone = `+1${area}${exchange}${String(1000 + exchange).slice(-4)}`;
		if (parsePhoneNumberFromString(phone)?.isValid()) found.push(phone);
	}
	return found;
}

export async function simulateRun(stack: Stack): Promise<RunFacts> {
	let ip = 0;
	const post = (path: string, body: unknown) =>
		fetch(`${stack.dev.url}/api/customers/${path}`, {
			method: "POST",
			headers: { "content-type": "application/json", "cf-connecting-ip": `198.51.100.${++ip}` },
			body: JSON.stringify(body),
		});
	const send = (phone: string, n: number) =>
		post("send-otp", {
			name: `Person ${n}`,
			email: `p${n}.${phone.slice(1)}@example.com`,
			phone,
			password: "a long enough passphrase",
		});

	const people = [...nanp("415", 2), ...nanp("212", 1), "+447400123456"];
	let verified = 0;
	for (const [n, phone] of people.entries()) {
		const sent = await send(phone, n);
		if (sent.status !== 200) throw new Error(`send-otp to a person answered ${sent.status}`);
		const { registrationId } = (await sent.json()) as { registrationId: string };
		const message = await eventually(async () => (await stack.sms(phone)).at(-1), { timeoutMs: 10_000, everyMs: 100 });
		const done = await post("verify-otp", { phone, registrationId, otp: codeIn(message.body) });
		if (done.status !== 201) throw new Error(`verify-otp answered ${done.status}`);
		verified++;
	}
	// Sent, never verified; unreachable; refused by Twilio.
	await send(nanp("646", 1)[0] as string, 10);
	await send(MAGIC_NUMBERS.unreachable, 11);
	const refusedByTwilio = nanp("305", 1)[0] as string;
	await stack.failSms(refusedByTwilio, { status: 400, code: 21610 });
	await send(refusedByTwilio, 12);

	let pumpedSent = 0;
	let pumpedRefused = 0;
	for (const [i, phone] of nanp("876", 16).entries()) {
		const res = await send(phone, 100 + i);
		if (res.status === 200) pumpedSent++;
		else pumpedRefused++;
	}
	if (pumpedRefused === 0) throw new Error("the range guard refused none of the pumped sends");

	// Every accepted SMS has its callbacks in: delivered, or undelivered for the unreachable handset.
	const expected = people.length + 2 + pumpedSent;
	await eventually(
		async () => {
			const res = await fetch(`${stack.dev.url}/api/admin/sms-stats`, {
				headers: { authorization: `Bearer ${CONSOLE_TOKEN}` },
			});
			const { day } = (await res.json()) as { day: { delivered: number; failed: number } };
			return day.delivered === expected - 1 && day.failed === 2;
		},
		{ what: "the status callbacks", timeoutMs: 20_000, everyMs: 200 },
	);
	return { verified, pumpedSent, pumpedRefused };
}
