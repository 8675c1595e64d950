import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { verifyPassword } from "../../../src/auth/passwords";
import { answer } from "../../support/answer";
import { uniquePhone } from "../../support/api";
import { codeIn } from "../../support/fake-twilio";
import { setClock, storedChallenge, storedMarks, storedRegistrations } from "../../support/objects";
import { lastCode, smsTo, wrongCode } from "../../support/outbox";
import { type Client, clientOn } from "../../support/registration";

/**
 * A registration belongs to whoever started it. The owner and the stranger
 * are clients on different networks (CF-Connecting-IP); each holds only the
 * registrationId it was answered. Time moves on the phone's object only.
 */
const AREA = "503";
const T0 = Date.UTC(2030, 0, 1);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let networks = 0;
/** A client on a network no other test in this file uses. */
const newClient = () => clientOn(`192.0.2.${++networks}`);

const OWNER = { name: "Olive Owner", password: "the owner's own passphrase" };
const STRANGER = { name: "Sam Stranger", password: "a stranger's passphrase" };
const emailOf = (who: string, phone: string) => `${who}.${phone.slice(1)}@example.com`;

async function customerByPhone(phone: string) {
	return env.DB.prepare("SELECT email, password_hash FROM customers WHERE phone = ?")
		.bind(phone)
		.first<{ email: string; password_hash: string }>();
}

async function customerByEmail(email: string) {
	return env.DB.prepare("SELECT id FROM customers WHERE email = ?").bind(email).first();
}

/** Starts a registration (or, holding a live id, edits it) at `from`, then resends with its id every 30 s: 5 sends. */
async function fiveSends(client: Client, phone: string, from: number): Promise<void> {
	await setClock(phone, from);
	expect((await client.send(phone)).status).toBe(200);
	for (let i = 1; i <= 4; i++) {
		await setClock(phone, from + i * 30 * SECOND);
		expect((await client.resend(phone)).status).toBe(200);
	}
}

describe("a stranger's send-otp for a phone someone is registering", () => {
	it("starts a registration of its own: the owner's stays as it was and becomes the customer, with the owner's details", async () => {
		const phone = uniquePhone(AREA);
		const owner = newClient();
		const stranger = newClient();
		await setClock(phone, T0);
		expect((await owner.send(phone, { ...OWNER, email: emailOf("owner", phone) })).status).toBe(200);
		const ownerId = owner.idFor(phone);
		const ownerCode = await lastCode(phone);
		// One wrong code first, so an untouched registration is told apart from a fresh one.
		expect(await answer(owner.verify(phone, wrongCode(ownerCode)))).toMatchObject({
			status: 400,
			body: { code: "OTP_INVALID", attemptsRemaining: 2 },
		});
		const ownerRow = await storedChallenge(phone, "register", ownerId);
		expect(ownerRow).toMatchObject({ status: "pending", attempts: 1, last_sent_at: T0 });

		await setClock(phone, T0 + 30 * SECOND);
		const started = await answer(stranger.send(phone, { ...STRANGER, email: emailOf("stranger", phone) }));
		expect(started).toMatchObject({ status: 200, body: { registrationId: expect.any(String) } });
		const strangerId = stranger.idFor(phone);
		expect(strangerId).not.toBe(ownerId);
		const strangerCode = await lastCode(phone);
		expect(strangerCode).not.toBe(ownerCode);
		// Every column of the owner's registration (details, code, attempts, expiry, last send) is as it was.
		expect(await storedChallenge(phone, "register", ownerId)).toEqual(ownerRow);

		// Each code is bound to its registration: the other one's is simply wrong there.
		expect(await answer(owner.verify(phone, strangerCode))).toMatchObject({
			status: 400,
			body: { code: "OTP_INVALID", attemptsRemaining: 1 },
		});
		expect(await answer(stranger.verify(phone, ownerCode))).toMatchObject({
			status: 400,
			body: { code: "OTP_INVALID", attemptsRemaining: 2 },
		});

		expect((await owner.verify(phone, ownerCode)).status).toBe(201);
		const customer = await customerByPhone(phone);
		expect(customer?.email).toBe(emailOf("owner", phone));
		expect(await verifyPassword(OWNER.password, customer?.password_hash ?? "")).toBe(true);
		expect(await verifyPassword(STRANGER.password, customer?.password_hash ?? "")).toBe(false);

		// The stranger's right code cannot make its details a customer either.
		expect(await answer(stranger.verify(phone, strangerCode))).toMatchObject({
			status: 409,
			body: { code: "CUSTOMER_EXISTS", field: "phone" },
		});
		expect(await customerByEmail(emailOf("stranger", phone))).toBeNull();
	});

	it("does not restart the owner's cooldown: each registration has its own", async () => {
		const phone = uniquePhone(AREA);
		const owner = newClient();
		const stranger = newClient();
		await setClock(phone, T0);
		expect((await owner.send(phone)).status).toBe(200);
		await setClock(phone, T0 + 30 * SECOND);
		expect((await stranger.send(phone, { email: emailOf("stranger", phone) })).status).toBe(200);

		// The same instant: the owner's 30 s are over, the stranger's have just begun.
		expect((await owner.resend(phone)).status).toBe(200);
		expect(await answer(stranger.resend(phone))).toMatchObject({ status: 429, retryAfter: "30" });
		expect(await smsTo(phone)).toHaveLength(3);
		expect((await owner.verify(phone, await lastCode(phone))).status).toBe(201);
		expect((await customerByPhone(phone))?.email).toBe(`${phone.slice(1)}@example.com`);
	});

	// An id-less resend-otp once answered the registrationId of the only live registration: anyone
	// could learn the owner's id, replace its details (send-otp with that id), and have the owner
	// verify the code texted to their own phone into the stranger's account.
	it("gives a stranger nothing that replaces the owner's details", async () => {
		const phone = uniquePhone(AREA);
		const owner = newClient();
		const stranger = newClient();
		await setClock(phone, T0);
		expect((await owner.send(phone, { ...OWNER, email: emailOf("owner", phone) })).status).toBe(200);
		await setClock(phone, T0 + 30 * SECOND);
		// Whatever the stranger can be answered without an id, it tries as its own.
		const learned = (await answer(stranger.resend(phone))).body.registrationId;
		await setClock(phone, T0 + 60 * SECOND);
		await stranger.send(phone, { ...STRANGER, email: emailOf("stranger", phone) }, (learned as string) ?? null);

		// The owner, holding their own id, tries the codes their phone received, newest first.
		let registered = false;
		for (const message of (await smsTo(phone)).reverse()) {
			registered = (await owner.verify(phone, codeIn(message.body))).status === 201;
			if (registered) break;
		}
		expect(registered).toBe(true);
		expect((await customerByPhone(phone))?.email).toBe(emailOf("owner", phone));
		expect(await customerByEmail(emailOf("stranger", phone))).toBeNull();
	});
});

describe("a stranger network trying to lock the owner out", () => {
	it("burns the owner's codes only until its share of wrong codes is spent; the owner resends with their id and finishes", async () => {
		const phone = uniquePhone(AREA);
		const owner = newClient();
		const stranger = newClient();
		await setClock(phone, T0);
		expect((await owner.send(phone, { email: emailOf("owner", phone) })).status).toBe(200);

		// Four rounds: without an id, a new code for the only live registration (the owner's), then three wrong codes.
		const rounds = [];
		for (let round = 1; round <= 4; round++) {
			await setClock(phone, T0 + round * 30 * SECOND);
			const resent = await stranger.resend(phone, null);
			const guesses = [];
			for (let i = 0; i < 3; i++) guesses.push((await answer(stranger.verify(phone, "000000", null))).body.code);
			rounds.push([resent.status, ...guesses]);
		}
		const burned = [200, "OTP_INVALID", "OTP_INVALID", "OTP_TOO_MANY_ATTEMPTS"];
		// Its tenth wrong code for this phone today is the last the stranger's network may try.
		expect(rounds).toEqual([burned, burned, burned, [200, "OTP_INVALID", "RATE_LIMITED", "RATE_LIMITED"]]);
		expect(await storedMarks(phone, "fail", "register", stranger.ip)).toHaveLength(10);
		// New codes would only buy it more guesses: it cannot start a registration of its own either.
		expect(await answer(stranger.send(phone, { email: emailOf("stranger", phone) }))).toMatchObject({
			status: 429,
			body: { code: "RATE_LIMITED", message: "Too many incorrect codes for this phone number today; try again later" },
		});

		// The owner's network has its own share: after the cooldown, a new code, and it works.
		await setClock(phone, T0 + 150 * SECOND);
		expect((await owner.resend(phone)).status).toBe(200);
		expect((await owner.verify(phone, await lastCode(phone))).status).toBe(201);
		expect((await customerByPhone(phone))?.email).toBe(emailOf("owner", phone));
	});

	it("spends only its own share of sends; the owner, with their id, resends after the cooldown and finishes", async () => {
		const phone = uniquePhone(AREA);
		const owner = newClient();
		const stranger = newClient();
		await setClock(phone, T0);
		expect((await owner.send(phone, { email: emailOf("owner", phone) })).status).toBe(200);

		// Without an id, the stranger reaches the only live registration: the owner's (texted to the owner).
		for (let round = 1; round <= 4; round++) {
			await setClock(phone, T0 + round * 30 * SECOND);
			expect((await stranger.resend(phone, null)).status).toBe(200);
		}
		const guesses = [];
		for (let i = 0; i < 3; i++) guesses.push(await answer(stranger.verify(phone, "000000", null)));
		expect(guesses.map((g) => g.body.code)).toEqual(["OTP_INVALID", "OTP_INVALID", "OTP_TOO_MANY_ATTEMPTS"]);
		expect(await storedChallenge(phone, "register", owner.idFor(phone))).toMatchObject({ status: "burned" });
		// A registration of its own: the stranger's fifth send this hour.
		expect((await stranger.send(phone, { email: emailOf("stranger", phone) })).status).toBe(200);
		expect(stranger.idFor(phone)).not.toBe(owner.idFor(phone));

		await setClock(phone, T0 + 150 * SECOND);
		// The stranger's hourly share is spent: its first send (T0 + 30 s) leaves the hour in 3480 s.
		const refused = await answer(stranger.resend(phone));
		expect(refused).toMatchObject({
			status: 429,
			retryAfter: "3480",
			body: { code: "RATE_LIMITED", message: "Too many codes requested for this phone number; try again later" },
		});
		// The owner's network is not refused: a new code for the burned registration, and it works.
		expect((await owner.resend(phone)).status).toBe(200);
		expect((await owner.verify(phone, await lastCode(phone))).status).toBe(201);
		expect((await customerByPhone(phone))?.email).toBe(emailOf("owner", phone));

		expect(await storedMarks(phone, "send", "register", stranger.ip)).toHaveLength(5);
		expect(await storedMarks(phone, "fail", "register", stranger.ip)).toHaveLength(3);
		expect(await storedMarks(phone, "send", "register", owner.ip)).toHaveLength(2);
		expect(await storedMarks(phone, "fail", "register", owner.ip)).toEqual([]);
	});

	it("reaches the phone's ceiling of 30 sends a day only with three networks' shares", {
		timeout: 30_000,
	}, async () => {
		const phone = uniquePhone(AREA);
		const [n1, n2, n3, n4] = [newClient(), newClient(), newClient(), newClient()] as const;
		// Ten sends a day from one network, five in each of two hours (one registration live at a time).
		await fiveSends(n1, phone, T0);
		await fiveSends(n1, phone, T0 + HOUR);

		// Its day's share is spent with the phone at 10 of 30; another network still sends.
		let now = T0 + 2 * HOUR + 5 * MINUTE;
		await setClock(phone, now);
		expect(await answer(n1.send(phone))).toMatchObject({
			status: 429,
			retryAfter: String((T0 + DAY - now) / SECOND),
			body: { code: "RATE_LIMITED" },
		});
		await fiveSends(n2, phone, now);
		await fiveSends(n2, phone, now + HOUR);
		await fiveSends(n3, phone, now + 2 * HOUR);
		await fiveSends(n3, phone, now + 3 * HOUR);
		expect(await smsTo(phone)).toHaveLength(30);

		// A network that sent nothing meets the ceiling, until the phone's first send leaves the day.
		now = T0 + 6 * HOUR;
		await setClock(phone, now);
		expect(await answer(n4.send(phone))).toMatchObject({
			status: 429,
			retryAfter: String((T0 + DAY - now) / SECOND),
			body: { code: "RATE_LIMITED", message: "Too many codes requested for this phone number; try again later" },
		});
		expect(await smsTo(phone)).toHaveLength(30);
		await setClock(phone, T0 + DAY);
		expect((await n4.send(phone)).status).toBe(200);
	});
});

describe("registrations pending at once for one phone", () => {
	it("refuses a fourth network's start until the earliest of three expires, then admits it", async () => {
		const phone = uniquePhone(AREA);
		const [n1, n2, n3, n4] = [newClient(), newClient(), newClient(), newClient()] as const;
		for (const [i, client] of [n1, n2, n3].entries()) {
			await setClock(phone, T0 + i * 10 * SECOND);
			expect((await client.send(phone)).status).toBe(200);
		}
		const before = await storedRegistrations(phone);
		expect(before).toHaveLength(3);

		await setClock(phone, T0 + 60 * SECOND);
		// n1's registration (sent at T0) is the first to expire, at T0 + 300 s.
		expect(await answer(n4.send(phone))).toMatchObject({
			status: 429,
			retryAfter: "240",
			body: { code: "RATE_LIMITED", message: expect.stringContaining("Too many registrations are pending") },
		});
		// One per network: n1 cannot start a second one beside its own either.
		expect(await answer(n1.send(phone, {}, null))).toMatchObject({
			status: 429,
			retryAfter: "240",
			body: { code: "RATE_LIMITED", message: expect.stringContaining("already pending from your network") },
		});
		expect(await storedRegistrations(phone)).toEqual(before);
		expect(await smsTo(phone)).toHaveLength(3);

		await setClock(phone, T0 + 300 * SECOND);
		expect((await n4.send(phone)).status).toBe(200);
		expect((await n4.verify(phone, await lastCode(phone))).status).toBe(201);
	});
});
