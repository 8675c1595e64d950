import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeIn, type FakeMessage } from "../support/fake-twilio.ts";
import { type Stack, startStack } from "../support/stack.ts";
import { eventually, sleep } from "../support/wait.ts";

/**
 * What a stranger can do to someone else's phone number or account, over
 * real HTTP: `wrangler dev` with the fake Twilio on loopback. Each client
 * network is a `CF-Connecting-IP` value (wrangler dev passes it through), and
 * every test uses its own phone numbers and networks, so one stack serves them all.
 *
 * A stranger is modelled as someone who uses everything the API hands them
 * (a registrationId in any answer included) but never sees the owner's SMS.
 */

const COOLDOWN_SECONDS = 2;
const OWNER_PASSWORD = "the owner's own passphrase";
const STRANGER_PASSWORD = "the stranger's passphrase";

let stack: Stack | undefined;

beforeAll(async () => {
	stack = await startStack({
		OTP_SECRET: "e2e-strangers-otp-secret-0123456789abcdef",
		// The contract's cooldown, short enough to wait out.
		OTP_RESEND_COOLDOWN_SECONDS: String(COOLDOWN_SECONDS),
		// Cheap hashing keeps sign-in and send-otp fast (development allows it).
		PASSWORD_SCRYPT_N: "1024",
		PASSWORD_SCRYPT_P: "1",
		// Only the phone's own rules decide here: the per-address burst and caps,
		// and the per-range guard, are other tests' business.
		IP_RATE_LIMITS: "off",
		SMS_PREFIX_GUARD: "off",
	});
});

afterAll(async () => {
	await stack?.stop();
});

/** A client network: the address wrangler dev passes through as the client's. */
const network = (ip: string) => ({ "cf-connecting-ip": ip });
type Network = ReturnType<typeof network>;

interface Answer {
	status: number;
	retryAfter: string | null;
	body: Record<string, unknown>;
}

async function call(path: string, from: Network, init: { method?: string; body?: unknown } = {}): Promise<Answer> {
	if (!stack) throw new Error("the stack is not running");
	const res = await fetch(`${stack.dev.url}/api/customers/${path}`, {
		method: init.method ?? "POST",
		headers: { "content-type": "application/json", ...from },
		body: init.body === undefined ? undefined : JSON.stringify(init.body),
	});
	return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as Answer["body"] };
}

const post = (path: string, body: unknown, from: Network) => call(path, from, { body });

const details = (phone: string, who: string, password: string) => ({
	name: who,
	email: `${who.toLowerCase().replace(/\W+/g, ".")}@example.com`,
	phone,
	password,
});

/** The `n`-th SMS the fake Twilio accepted for `phone` (1-based), once it has it. */
async function nthSms(phone: string, n: number): Promise<FakeMessage> {
	return eventually(async () => (await stack?.sms(phone))?.[n - 1], {
		what: `SMS #${n} to ${phone}`,
		timeoutMs: 10_000,
		everyMs: 50,
	});
}

async function smsCount(phone: string): Promise<number> {
	return (await stack?.sms(phone))?.length ?? 0;
}

const waitOutCooldown = () => sleep(COOLDOWN_SECONDS * 1000 + 250);

/** A code that is not `code`. */
const not = (code: string) => (code === "000000" ? "000001" : "000000");

/** Registers `who` on `phone` from `from` with the texted code; the customer's email. */
async function register(phone: string, who: string, password: string, from: Network): Promise<string> {
	const before = await smsCount(phone);
	const body = details(phone, who, password);
	const sent = await post("send-otp", body, from);
	expect(sent.status, JSON.stringify(sent.body)).toBe(200);
	const code = codeIn((await nthSms(phone, before + 1)).body);
	const verified = await post("verify-otp", { phone, otp: code, registrationId: sent.body.registrationId }, from);
	expect(verified.status, JSON.stringify(verified.body)).toBe(201);
	return body.email;
}

describe("a stranger who knows only the phone number", () => {
	it("cannot hijack a registration: their send-otp starts a separate one, and the owner's code registers the owner", async () => {
		const phone = "+14155550111";
		const owner = network("203.0.113.11");
		const stranger = network("198.51.100.11");
		const ownerDetails = details(phone, "Owner A", OWNER_PASSWORD);
		const strangerDetails = details(phone, "Stranger A", STRANGER_PASSWORD);

		const mine = await post("send-otp", ownerDetails, owner);
		expect(mine.status, JSON.stringify(mine.body)).toBe(200);
		const ownerId = mine.body.registrationId as string;
		expect(ownerId).toEqual(expect.any(String));
		const ownerCode = codeIn((await nthSms(phone, 1)).body);

		// The seed's hijack: once the cooldown is over, the stranger sends their own details for the number.
		await waitOutCooldown();
		const theirs = await post("send-otp", strangerDetails, stranger);
		expect(theirs.status, JSON.stringify(theirs.body)).toBe(200);
		expect(theirs.body.registrationId).toEqual(expect.any(String));
		expect(theirs.body.registrationId).not.toBe(ownerId);
		// That code went to the owner's phone: the newest SMS there is the stranger's.
		const strangerCode = codeIn((await nthSms(phone, 2)).body);

		// Typed into the owner's registration, the newest code does not fit it (the codes differ 999,999 times in 10^6).
		if (strangerCode !== ownerCode) {
			const wrong = await post("verify-otp", { phone, otp: strangerCode, registrationId: ownerId }, owner);
			expect(wrong).toMatchObject({ status: 400, body: { code: "OTP_INVALID" } });
		}
		const verified = await post("verify-otp", { phone, otp: ownerCode, registrationId: ownerId }, owner);
		expect(verified.status, JSON.stringify(verified.body)).toBe(201);

		const asStranger = await post("login", { email: strangerDetails.email, password: STRANGER_PASSWORD }, stranger);
		expect(asStranger).toMatchObject({ status: 401, body: { code: "INVALID_CREDENTIALS" } });
		const byPhone = await post("login", { phone, password: STRANGER_PASSWORD }, stranger);
		expect(byPhone).toMatchObject({ status: 401, body: { code: "INVALID_CREDENTIALS" } });
		const asOwner = await post("login", { email: ownerDetails.email, password: OWNER_PASSWORD }, owner);
		expect(asOwner.status, JSON.stringify(asOwner.body)).toBe(200);
		expect(asOwner.body.customer).toMatchObject({ email: ownerDetails.email, phone, name: "Owner A" });
	});

	it("spends only their own network's share with id-less resends and wrong codes; the owner resends and finishes", async () => {
		const phone = "+14155550122";
		const owner = network("203.0.113.22");
		const stranger = network("198.51.100.22");
		const ownerDetails = details(phone, "Owner B", OWNER_PASSWORD);
		const strangerDetails = details(phone, "Stranger B", STRANGER_PASSWORD);

		const mine = await post("send-otp", ownerDetails, owner);
		expect(mine.status, JSON.stringify(mine.body)).toBe(200);
		const ownerId = mine.body.registrationId as string;

		// Four id-less resends: with the owner's send, the phone's five an hour under a per-phone cap.
		let learned: unknown;
		for (let round = 1; round <= 4; round++) {
			await waitOutCooldown();
			const resent = await post("resend-otp", { phone }, stranger);
			expect(resent.status, `resend ${round}: ${JSON.stringify(resent.body)}`).toBe(200);
			learned ??= resent.body.registrationId;
		}
		// Three wrong codes: a whole code's attempts under a per-code limit.
		const code = codeIn((await nthSms(phone, 5)).body);
		const guesses = [];
		for (let i = 0; i < 3; i++) guesses.push(await post("verify-otp", { phone, otp: not(code) }, stranger));
		expect(guesses.map((g) => g.body.code)).toEqual(["OTP_INVALID", "OTP_INVALID", "OTP_TOO_MANY_ATTEMPTS"]);

		// A registration of their own, with whatever id the API let them learn.
		await waitOutCooldown();
		const theirs = await post(
			"send-otp",
			learned === undefined ? strangerDetails : { ...strangerDetails, registrationId: learned },
			stranger,
		);
		expect(theirs.status, JSON.stringify(theirs.body)).toBe(200);
		expect(theirs.body.registrationId, "the stranger's registration must be their own").not.toBe(ownerId);
		// Two are pending now: without an id, nobody can tell which one is meant.
		const idless = await post("verify-otp", { phone, otp: not(code) }, stranger);
		expect(idless).toMatchObject({ status: 409, body: { code: "REGISTRATION_ID_REQUIRED" } });

		// The owner, with their id, still gets a new code and finishes with it.
		const sent = await smsCount(phone);
		const resent = await post("resend-otp", { phone, registrationId: ownerId }, owner);
		expect(resent.status, JSON.stringify(resent.body)).toBe(200);
		const fresh = codeIn((await nthSms(phone, sent + 1)).body);
		const verified = await post("verify-otp", { phone, otp: fresh, registrationId: ownerId }, owner);
		expect(verified.status, JSON.stringify(verified.body)).toBe(201);

		const asOwner = await post("login", { email: ownerDetails.email, password: OWNER_PASSWORD }, owner);
		expect(asOwner.status, JSON.stringify(asOwner.body)).toBe(200);
		const asStranger = await post("login", { email: strangerDetails.email, password: STRANGER_PASSWORD }, stranger);
		expect(asStranger).toMatchObject({ status: 401, body: { code: "INVALID_CREDENTIALS" } });
	});

	it("locks only their own network out of an account with wrong passwords; the owner signs in from theirs", async () => {
		const phone = "+14155550133";
		const owner = network("203.0.113.33");
		const stranger = network("198.51.100.33");
		const email = await register(phone, "Owner C", OWNER_PASSWORD, owner);

		// Five consecutive failures lock the pair (account, client network); a lock keyed by the account alone
		// would let anyone lock the owner out, which is what this test refuses.
		const answers: Answer[] = [];
		for (let i = 0; i < 12; i++) answers.push(await post("login", { email, password: `wrong guess ${i}` }, stranger));
		expect(answers.map((a) => a.status)).toEqual([...Array(5).fill(401), ...Array(7).fill(429)]);
		for (const locked of answers.slice(5)) {
			expect(locked.body.code).toBe("RATE_LIMITED");
			expect(Number(locked.retryAfter)).toBeGreaterThan(0);
		}

		const asOwner = await post("login", { email, password: OWNER_PASSWORD }, owner);
		expect(asOwner.status, JSON.stringify(asOwner.body)).toBe(200);
	});

	it("cannot tell a registered number from an unregistered one by password reset, even while Twilio fails", async () => {
		const registered = "+14155550144";
		const unregistered = "+14155550155";
		const client = network("198.51.100.44");
		await register(registered, "Owner D", OWNER_PASSWORD, network("203.0.113.44"));
		for (const to of [registered, unregistered]) await stack?.failSms(to, { status: 500, code: 20500, count: 10 });
		const texted = await smsCount(registered);
		const tried = (await stack?.twilioRequests()) ?? 0;

		const asked = [];
		for (const phone of [registered, unregistered])
			asked.push(await post("password-reset/send-otp", { phone }, client));
		expect(asked[0]?.status).toBe(200);
		expect(asked[1]).toEqual(asked[0]);

		// The real reset's SMS was tried and refused (after the answer): the phone's object now holds a decoy.
		const notSent = `"event":"password_reset_not_sent","phone":"+1415***${registered.slice(-4)}"`;
		await eventually(async () => stack?.dev.output().includes(notSent), {
			what: `${notSent} in the Worker's log`,
			timeoutMs: 10_000,
			everyMs: 50,
		});
		expect(await stack?.twilioRequests()).toBe(tried + 1);
		expect(await smsCount(registered)).toBe(texted);

		// Three guesses each, alternating: the same status, code, message and attempts left every time.
		const guess = (phone: string) =>
			post("password-reset/verify", { phone, otp: "123456", newPassword: "a new passphrase" }, client);
		const answers: [Answer, Answer][] = [];
		for (let i = 0; i < 3; i++) answers.push([await guess(registered), await guess(unregistered)]);
		expect(answers.map(([a]) => [a.status, a.body.code])).toEqual([
			[400, "OTP_INVALID"],
			[400, "OTP_INVALID"],
			[429, "OTP_TOO_MANY_ATTEMPTS"],
		]);
		for (const [a, b] of answers) expect(b).toEqual(a);
		// Asking again (inside the cooldown, with Twilio still failing) answers alike too.
		const again = [];
		for (const phone of [registered, unregistered])
			again.push(await post("password-reset/send-otp", { phone }, client));
		expect(again[1]).toEqual(again[0]);
		expect(again[0]).toEqual(asked[0]);
	});
});

describe("the owner, with their registrationId", () => {
	it("changes their details, and the newest code registers the new ones", async () => {
		const phone = "+14155550166";
		const owner = network("203.0.113.66");
		const first = details(phone, "Owner E", "the first passphrase");
		const changed = details(phone, "Owner E Changed", "the changed passphrase");

		const sent = await post("send-otp", first, owner);
		expect(sent.status, JSON.stringify(sent.body)).toBe(200);
		const id = sent.body.registrationId as string;
		const firstCode = codeIn((await nthSms(phone, 1)).body);

		// Editing is a send of the same registration: its cooldown applies.
		const early = await post("send-otp", { ...changed, registrationId: id }, owner);
		expect(early).toMatchObject({ status: 429, body: { code: "RATE_LIMITED" } });
		expect(Number(early.retryAfter)).toBeGreaterThan(0);
		expect(Number(early.retryAfter)).toBeLessThanOrEqual(COOLDOWN_SECONDS);

		await waitOutCooldown();
		const edited = await post("send-otp", { ...changed, registrationId: id }, owner);
		expect(edited.status, JSON.stringify(edited.body)).toBe(200);
		expect(edited.body.registrationId).toBe(id);
		const newest = codeIn((await nthSms(phone, 2)).body);

		// The first code died with the old details.
		if (firstCode !== newest) {
			const stale = await post("verify-otp", { phone, otp: firstCode, registrationId: id }, owner);
			expect(stale).toMatchObject({ status: 400, body: { code: "OTP_INVALID" } });
		}
		const verified = await post("verify-otp", { phone, otp: newest, registrationId: id }, owner);
		expect(verified.status, JSON.stringify(verified.body)).toBe(201);

		const withNew = await post("login", { email: changed.email, password: "the changed passphrase" }, owner);
		expect(withNew.status, JSON.stringify(withNew.body)).toBe(200);
		expect(withNew.body.customer).toMatchObject({ email: changed.email, name: "Owner E Changed", phone });
		const withOld = await post("login", { email: first.email, password: "the first passphrase" }, owner);
		expect(withOld).toMatchObject({ status: 401, body: { code: "INVALID_CREDENTIALS" } });
	});
});
