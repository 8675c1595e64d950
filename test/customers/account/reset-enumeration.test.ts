import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { maskPhone } from "../../../src/platform/log";
import { answer } from "../../support/answer";
import { uniquePhone } from "../../support/api";
import { argumentTexts, captureLogs } from "../../support/log-capture";
import { counterTotal, setClock } from "../../support/objects";
import { failNextSms, lastCode, smsTo } from "../../support/outbox";
import { resetSms, sendReset, verifyReset } from "../../support/password-reset";
import { registeredCustomer, sendOtp, verifyOtp } from "../../support/registration";

/**
 * Password reset tells nobody whether a phone is registered, also when the
 * real SMS does not go out (Twilio fails, the SMS budget refuses): the real
 * reset then holds a decoy, exactly like an unregistered phone, and only the
 * operator's log (`password_reset_not_sent`, phone masked) tells them apart.
 */
const AREA = "305";
const T0 = Date.UTC(2030, 0, 1);
const NEW_PASSWORD = "another long passphrase";

/** Status and body bytes: everything a client could compare. */
async function wire(res: Response) {
	return { status: res.status, body: await res.text() };
}

/** The same for a verify, with the JSON parsed so a mismatch reads well. */
const verifyAnswer = (phone: string, code: string) => answer(verifyReset(phone, code, NEW_PASSWORD));

/** Three wrong guesses at each phone, answered side by side. */
async function guessesAt(known: string, unknown: string) {
	const answers = { known: [] as unknown[], unknown: [] as unknown[] };
	for (let i = 0; i < 3; i++) {
		answers.known.push(await verifyAnswer(known, "123456"));
		answers.unknown.push(await verifyAnswer(unknown, "123456"));
	}
	return answers;
}

/** Neither phone, in full, in anything written to the console. */
function expectNoFullPhone(logs: ReturnType<typeof captureLogs>, ...phones: string[]) {
	const texts = argumentTexts(logs.calls()).join("\n");
	for (const phone of phones) {
		expect(texts).not.toContain(phone);
		expect(texts).not.toContain(phone.slice(1));
	}
}

let uk = 0;
/** A London number no other test uses. */
const ukPhone = () => `+4420794${String(71000 + ++uk)}`;

/** Takes the +44 hourly SMS budget until it refuses. */
async function spendUkBudget(): Promise<void> {
	const stub = env.COUNTERS.get(env.COUNTERS.idFromName("cc:44"));
	await runInDurableObject(stub, async (instance) => {
		for (let i = 0; i < 1_000; i++) if ("retryAfter" in (await instance.take(200))) return;
		throw new Error("the +44 budget never refused");
	});
}

describe("password reset for a registered and an unregistered phone", () => {
	afterEach(() => vi.restoreAllMocks());

	it("answers alike when Twilio fails the real SMS, and logs it for the operator only", async () => {
		const customer = await registeredCustomer(AREA);
		const unknown = uniquePhone(AREA);
		await setClock(customer.phone, T0);
		await setClock(unknown, T0);
		const logs = captureLogs();
		await failNextSms(customer.phone);

		const known = await wire(await sendReset(customer.phone));
		expect(known.status).toBe(200);
		expect(await wire(await sendReset(unknown))).toEqual(known);
		expect(await resetSms(customer.phone)).toEqual([]);
		expect(await smsTo(unknown)).toEqual([]);

		const answers = await guessesAt(customer.phone, unknown);
		expect(answers.unknown).toEqual(answers.known);
		expect(answers.known[0]).toMatchObject({ status: 400, body: { code: "OTP_INVALID", attemptsRemaining: 2 } });

		expect(logs.events("password_reset_not_sent")).toEqual([
			expect.objectContaining({ phone: maskPhone(customer.phone), code: "SMS_DELIVERY_FAILED" }),
		]);
		expectNoFullPhone(logs, customer.phone, unknown);
	});

	it("answers alike when the SMS budget refuses the real SMS, and logs it for the operator only", async () => {
		const registered = ukPhone();
		expect((await sendOtp(registered)).status).toBe(200);
		expect((await verifyOtp(registered, await lastCode(registered))).status).toBe(201);
		const unknown = ukPhone();
		await setClock(registered, T0);
		await setClock(unknown, T0);
		await spendUkBudget();
		const logs = captureLogs();

		const known = await wire(await sendReset(registered));
		expect(known.status).toBe(200);
		expect(await wire(await sendReset(unknown))).toEqual(known);
		expect(await resetSms(registered)).toEqual([]);
		expect(await counterTotal("cc:44")).toBe(200);

		const answers = await guessesAt(registered, unknown);
		expect(answers.unknown).toEqual(answers.known);
		expect(answers.known[0]).toMatchObject({ status: 400, body: { code: "OTP_INVALID", attemptsRemaining: 2 } });

		expect(logs.events("password_reset_not_sent")).toEqual([
			expect.objectContaining({ phone: maskPhone(registered), code: "SMS_BUDGET_EXHAUSTED" }),
		]);
		expectNoFullPhone(logs, registered, unknown);
	});
});
