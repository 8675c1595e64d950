import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { answer, tally } from "../../support/answer";
import { customerCount, post, uniquePhone } from "../../support/api";
import { counterTotal, setClock, storedChallenge, storedMarks, storedRegistrations } from "../../support/objects";
import { lastCode, smsTo, wrongCode } from "../../support/outbox";
import { clientOn, registrationIdOf, sendOtp } from "../../support/registration";

/**
 * The registrationId: send-otp answers it; verify-otp, resend-otp and
 * otp-status take it. Without it, the seed's contract holds while exactly
 * one registration is live for the phone, and nothing is counted otherwise.
 */
const AREA = "206";
const T0 = Date.UTC(2030, 0, 1);
const SECOND = 1000;

let networks = 0;
/** A client on a network no other test in this file uses; `vars` replace bindings for its requests. */
const newClient = (vars: Record<string, string> = {}) => clientOn(`198.18.0.${++networks}`, vars);

const emailOf = async (phone: string) =>
	(await env.DB.prepare("SELECT email FROM customers WHERE phone = ?").bind(phone).first<{ email: string }>())?.email;

describe("without a registrationId (the seed's contract)", () => {
	it("verify-otp and resend-otp reach the only live registration", async () => {
		const phone = uniquePhone(AREA);
		const owner = newClient();
		await setClock(phone, T0);
		expect((await owner.send(phone)).status).toBe(200);
		await setClock(phone, T0 + 30 * SECOND);
		expect((await owner.resend(phone, null)).status).toBe(200);
		expect(await smsTo(phone)).toHaveLength(2);
		expect((await owner.verify(phone, await lastCode(phone), null)).status).toBe(201);
	});

	it("with two live, answers 409 REGISTRATION_ID_REQUIRED and counts nothing: no attempt, no mark, no SMS, no guess", async () => {
		const phone = uniquePhone(AREA);
		const [a, b, anyone] = [newClient(), newClient(), newClient()] as const;
		await setClock(phone, T0);
		expect((await a.send(phone)).status).toBe(200);
		const code = await lastCode(phone);
		await setClock(phone, T0 + 30 * SECOND);
		expect((await b.send(phone)).status).toBe(200);
		await setClock(phone, T0 + 60 * SECOND);
		const rows = await storedRegistrations(phone);
		expect(rows).toHaveLength(2);

		for (const res of [
			anyone.verify(phone, code, null),
			anyone.verify(phone, wrongCode(code), null),
			anyone.resend(phone, null),
			a.verify(phone, wrongCode(code), null),
			a.resend(phone, null),
		])
			expect(await answer(res)).toMatchObject({ status: 409, body: { code: "REGISTRATION_ID_REQUIRED" } });

		expect(await storedRegistrations(phone)).toEqual(rows);
		expect(await storedMarks(phone, "fail")).toEqual([]);
		expect(await storedMarks(phone, "send")).toEqual([T0, T0 + 30 * SECOND]);
		expect(await smsTo(phone)).toHaveLength(2);
		for (const client of [anyone, a]) expect(await counterTotal(`guess-day:${client.ip}`)).toBe(0);

		// The code still has its three attempts, and it works with its id.
		expect(await answer(a.status(phone))).toMatchObject({ status: 200, body: { attemptsRemaining: 3 } });
		expect((await a.verify(phone, code)).status).toBe(201);
	});

	it("REGISTRATION_ID_REQUIRED=true refuses it with 400 on field registrationId, and counts nothing", async () => {
		const phone = uniquePhone(AREA);
		const owner = newClient({ REGISTRATION_ID_REQUIRED: "true" });
		await setClock(phone, T0);
		expect((await owner.send(phone)).status).toBe(200);
		const code = await lastCode(phone);
		await setClock(phone, T0 + 30 * SECOND);
		const rows = await storedRegistrations(phone);
		for (const res of [owner.verify(phone, wrongCode(code), null), owner.resend(phone, null)])
			expect(await answer(res)).toMatchObject({
				status: 400,
				body: { code: "VALIDATION_ERROR", field: "registrationId" },
			});
		expect(await storedRegistrations(phone)).toEqual(rows);
		expect(await smsTo(phone)).toHaveLength(1);
		expect(await counterTotal(`guess-day:${owner.ip}`)).toBe(0);
		expect((await owner.verify(phone, code)).status).toBe(201);
	});

	it("otp-status answers 400 on field registrationId", async () => {
		const phone = uniquePhone(AREA);
		const owner = newClient();
		await setClock(phone, T0);
		expect((await owner.send(phone)).status).toBe(200);
		expect(await answer(owner.status(phone, null))).toMatchObject({
			status: 400,
			body: { code: "VALIDATION_ERROR", field: "registrationId" },
		});
		expect(await answer(owner.status(phone))).toMatchObject({
			status: 200,
			body: { status: "pending", attemptsRemaining: 3 },
		});
	});
});

describe("send-otp with a registrationId", () => {
	it("of a live registration replaces its details: the newest code registers them, the old code is dead", async () => {
		const phone = uniquePhone(AREA);
		const owner = newClient();
		const first = { name: "First Try", email: `first.${phone.slice(1)}@example.com` };
		const second = { name: "Second Try", email: `second.${phone.slice(1)}@example.com` };
		await setClock(phone, T0);
		expect((await owner.send(phone, first)).status).toBe(200);
		const id = owner.idFor(phone);
		const oldCode = await lastCode(phone);

		// The edit is a send of that registration: its cooldown holds.
		await setClock(phone, T0 + 10 * SECOND);
		expect(await answer(owner.send(phone, second))).toMatchObject({ status: 429, retryAfter: "20" });
		await setClock(phone, T0 + 30 * SECOND);
		expect(await answer(owner.send(phone, second))).toMatchObject({ status: 200, body: { registrationId: id } });
		const newCode = await lastCode(phone);
		expect(newCode).not.toBe(oldCode);
		expect(await storedRegistrations(phone)).toHaveLength(1);

		expect(await answer(owner.verify(phone, oldCode))).toMatchObject({ status: 400, body: { code: "OTP_INVALID" } });
		expect((await owner.verify(phone, newCode)).status).toBe(201);
		expect(await emailOf(phone)).toBe(second.email);
	});

	it("that is not live starts a separate registration under a new id, never the one sent", async () => {
		const phone = uniquePhone(AREA);
		const owner = newClient();
		await setClock(phone, T0);
		expect((await owner.send(phone)).status).toBe(200);
		const expired = owner.idFor(phone) as string;
		await setClock(phone, T0 + 300 * SECOND);
		expect((await owner.send(phone)).status).toBe(200);
		const renewed = owner.idFor(phone) as string;
		expect(renewed).not.toBe(expired);

		// An id nobody was answered is not adopted: the client cannot choose its id.
		const made = "A".repeat(22);
		const other = newClient();
		expect(await answer(other.send(phone, {}, made))).toMatchObject({ status: 200 });
		expect([made, expired, renewed]).not.toContain(other.idFor(phone));
		expect(other.idFor(phone)).toMatch(/^[A-Za-z0-9_-]{22}$/);
		expect((await other.verify(phone, await lastCode(phone))).status).toBe(201);
	});
});

describe("parallel requests for one registration", () => {
	it("20 right codes with its id create exactly one customer; the other registration is untouched", async () => {
		const phone = uniquePhone(AREA);
		const [owner, other] = [newClient(), newClient()] as const;
		await setClock(phone, T0);
		expect((await owner.send(phone)).status).toBe(200);
		const code = await lastCode(phone);
		expect((await other.send(phone, { email: `other.${phone.slice(1)}@example.com` })).status).toBe(200);
		const otherRow = await storedChallenge(phone, "register", other.idFor(phone));
		expect(otherRow).toMatchObject({ status: "pending" });
		const before = await customerCount();

		const results = await Promise.all(Array.from({ length: 20 }, () => answer(owner.verify(phone, code))));
		expect(tally(results)).toEqual({ OK: 1, OTP_NOT_FOUND: 19 });
		expect(await customerCount()).toBe(before + 1);
		expect(await storedChallenge(phone, "register", other.idFor(phone))).toEqual(otherRow);
	});

	it("20 wrong guesses with its id count exactly three attempts, three marks and three guesses", async () => {
		const phone = uniquePhone(AREA);
		const owner = newClient();
		await setClock(phone, T0);
		expect((await owner.send(phone)).status).toBe(200);
		const code = await lastCode(phone);

		const results = await Promise.all(Array.from({ length: 20 }, () => answer(owner.verify(phone, wrongCode(code)))));
		expect(tally(results)).toEqual({ OTP_INVALID: 2, OTP_TOO_MANY_ATTEMPTS: 18 });
		expect(await storedRegistrations(phone)).toMatchObject([{ status: "burned", attempts: 3 }]);
		expect(await storedMarks(phone, "fail")).toHaveLength(3);
		expect(await counterTotal(`guess-day:${owner.ip}`)).toBe(3);
	});

	it("10 id-less starts from 10 networks: three registrations, the rest 429, one SMS each", async () => {
		const phone = uniquePhone(AREA);
		await setClock(phone, T0);
		const clients = Array.from({ length: 10 }, () => newClient());
		const results = await Promise.all(clients.map((c) => answer(c.send(phone))));
		expect(tally(results)).toEqual({ OK: 3, RATE_LIMITED: 7 });
		const rows = await storedRegistrations(phone);
		expect(rows.map((r) => r.status)).toEqual(["pending", "pending", "pending"]);
		expect(new Set(rows.map((r) => r.id))).toEqual(new Set(results.flatMap((r) => r.body.registrationId ?? [])));
		expect(await smsTo(phone)).toHaveLength(3);
		expect(await storedMarks(phone, "send")).toHaveLength(3);
	});
});

describe("otp-status as a POST", () => {
	it("answers exactly what the GET answers, with the phone and the id out of the URL", async () => {
		const phone = uniquePhone(AREA);
		await setClock(phone, T0);
		expect((await sendOtp(phone)).status).toBe(200);
		const registrationId = registrationIdOf(phone) as string;
		const byBody = await post("/api/customers/otp-status", { phone, registrationId });
		expect(byBody.status).toBe(200);
		const query = new URLSearchParams({ phone, registrationId });
		const byQuery = await exports.default.fetch(`http://localhost/api/customers/otp-status?${query}`);
		expect(await byBody.json()).toEqual(await byQuery.json());

		const withoutId = await post("/api/customers/otp-status", { phone });
		expect(withoutId.status).toBe(400);
		expect(await withoutId.json()).toMatchObject({ code: "VALIDATION_ERROR", field: "registrationId" });
		const someoneElses = await post("/api/customers/otp-status", { phone, registrationId: "B".repeat(22) });
		expect(someoneElses.status).toBe(404);
	});
});
