import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UNKNOWN_NETWORK } from "../../src/abuse/client-network";
import { messageRepository } from "../../src/messaging/message-log";
import { twilioSignature } from "../../src/messaging/twilio-signature";
import { PhoneChallenge } from "../../src/otp/phone-challenge";
import { PASSWORD, registration, uniquePhone } from "../support/api";
import { FAKE_AUTH_TOKEN } from "../support/fakes/fake-twilio";
import { challengeStub, setClock, storedChallenge } from "../support/objects";
import { lastCode, lastSid, STATUS_CALLBACK_URL, statusCallback, wrongCode } from "../support/outbox";
import { registrationIdOf, resendOtp, sendOtp, verifyOtp } from "../support/registration";

const AREA = "650";
/** For the tests that move the phone object's clock. */
const CLOCK_AREA = "651";
const T0 = Date.UTC(2030, 0, 1);
const PATH = "/api/webhooks/twilio/message-status";
const FORM = "application/x-www-form-urlencoded";

/** Every response of this API carries a request id. */
function expectRequestId(res: Response): string {
	const id = res.headers.get("x-request-id");
	expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
	return id as string;
}

/** A fresh phone with a code sent by SMS; the SID Twilio gave the message. */
async function sent(area = AREA): Promise<{ phone: string; sid: string }> {
	const phone = uniquePhone(area);
	const res = await sendOtp(phone);
	expect(res.status).toBe(200);
	expect(await res.json()).toMatchObject({ channel: "sms", delivery: "queued" });
	return { phone, sid: await lastSid(phone) };
}

const report = (sid: string, phone: string, status: string, extra: Record<string, string> = {}) => ({
	MessageSid: sid,
	MessageStatus: status,
	To: phone,
	AccountSid: "AC00000000000000000000000000000001",
	ApiVersion: "2010-04-01",
	...extra,
});

/** Posts a signed status callback and expects it to be recorded (204, empty body). */
async function accepted(params: Record<string, string>, options: Parameters<typeof statusCallback>[1] = {}) {
	const res = await statusCallback(params, options);
	expect(res.status).toBe(204);
	expect(await res.text()).toBe("");
	expectRequestId(res);
}

async function expectRefused(res: Response) {
	expect(res.status).toBe(403);
	expect(await res.json()).toEqual({
		success: false,
		code: "INVALID_SIGNATURE",
		message: expect.any(String),
	});
	expectRequestId(res);
}

/** A raw POST to the callback route: any URL, headers and body. */
function rawPost(url: string, body: string, headers: Record<string, string>) {
	return exports.default.fetch(url, { method: "POST", headers, body });
}

const message = (sid: string) => messageRepository(env.DB).find(sid);

/** The statuses a message's events hold, sorted (events heard in the same millisecond have no order). */
async function eventStatuses(sid: string): Promise<string[]> {
	return ((await message(sid))?.events ?? []).map((e) => e.status).sort();
}

/** A well-formed registrationId that no registration has. */
const UNHELD_ID = "q1w2E3r4T5y6U7i8O9p0_A";

/** otp-status of the registration `id` of `phone` (default: the one send-otp last answered for it). */
const otpStatus = (phone: string, id = registrationIdOf(phone) ?? UNHELD_ID) =>
	exports.default.fetch(
		`http://localhost/api/customers/otp-status?${new URLSearchParams({ phone, registrationId: id })}`,
	);

async function deliveryOf(phone: string): Promise<string> {
	const res = await otpStatus(phone);
	expect(res.status).toBe(200);
	return ((await res.json()) as { delivery: string }).delivery;
}

/** The message as the send left it: queued, one event, and otp-status agrees. */
async function expectUntouched(sid: string, phone: string) {
	expect(await message(sid)).toMatchObject({ status: "queued", errorCode: null, purpose: "register" });
	expect(await eventStatuses(sid)).toEqual(["queued"]);
	expect(await deliveryOf(phone)).toBe("queued");
}

/** A well-formed SID no message has. */
const unknownSid = () => `SM${crypto.randomUUID().replaceAll("-", "")}`;

describe("a send", () => {
	afterEach(() => {
		vi.restoreAllMocks();
	});

	it("asks Twilio to report to PUBLIC_BASE_URL + the callback path, and records the message as queued", async () => {
		const fetchSpy = vi.spyOn(globalThis, "fetch");
		const { phone, sid } = await sent();
		const calls = fetchSpy.mock.calls.filter(([input]) =>
			String(input instanceof Request ? input.url : input).includes("/Messages.json"),
		);
		expect(calls).toHaveLength(1);
		const [input, init] = calls[0] as Parameters<typeof fetch>;
		const body = input instanceof Request ? await input.clone().text() : String(init?.body);
		const form = new URLSearchParams(body);
		expect(form.get("To")).toBe(phone);
		expect(form.get("StatusCallback")).toBe(STATUS_CALLBACK_URL);
		expect(STATUS_CALLBACK_URL).toBe(`https://verify.example.com${PATH}`);

		const row = await message(sid);
		expect(row).toMatchObject({
			id: sid,
			channel: "sms",
			purpose: "register",
			status: "queued",
			errorCode: null,
			callingCode: "1",
			destination: `${phone.slice(0, 5)}***${phone.slice(-4)}`,
		});
		expect(row?.challengeId).toEqual(expect.any(String));
		expect(await eventStatuses(sid)).toEqual(["queued"]);
	});
});

describe("signed status callbacks", () => {
	it("a valid signature: 204, the status and its event recorded, otp-status follows", async () => {
		const { phone, sid } = await sent();
		await accepted(report(sid, phone, "sent"));
		expect(await message(sid)).toMatchObject({ status: "sent", statusRank: 4, purpose: "register" });
		expect(await eventStatuses(sid)).toEqual(["queued", "sent"]);
		expect(await deliveryOf(phone)).toBe("sent");

		await accepted(report(sid, phone, "delivered"));
		expect(await message(sid)).toMatchObject({ status: "delivered", errorCode: null });
		expect(await eventStatuses(sid)).toEqual(["delivered", "queued", "sent"]);
		expect(await deliveryOf(phone)).toBe("delivered");
	});

	it("the status the object heard is stored: an object rebuilt from storage still reports it", async () => {
		const { phone, sid } = await sent();
		await accepted(report(sid, phone, "undelivered", { ErrorCode: "30003" }));
		const stored = await storedChallenge(phone);
		expect(JSON.parse(String(stored?.delivery))).toMatchObject({ messageId: sid, deliveryStatus: "undelivered" });
		// As after an eviction: a new instance over the same storage.
		const pending = await runInDurableObject(challengeStub(phone), (_, state) =>
			new PhoneChallenge(state, env).pending(registrationIdOf(phone) as string, UNKNOWN_NETWORK),
		);
		expect(pending).toMatchObject({ ok: true, status: "pending", delivery: "failed" });
	});

	it("accepts Twilio's content type with a charset", async () => {
		const { phone, sid } = await sent();
		const form = new URLSearchParams(report(sid, phone, "sent"));
		const signature = await twilioSignature(FAKE_AUTH_TOKEN, STATUS_CALLBACK_URL, form);
		const res = await rawPost(STATUS_CALLBACK_URL, form.toString(), {
			"content-type": `${FORM}; charset=utf-8`,
			"x-twilio-signature": signature,
		});
		expect(res.status).toBe(204);
		expect(await message(sid)).toMatchObject({ status: "sent" });
	});

	it("accepts a callback signed for the URL with an explicit :443", async () => {
		const { phone, sid } = await sent();
		const withPort = `https://verify.example.com:443${PATH}`;
		const form = new URLSearchParams(report(sid, phone, "delivered"));
		const signature = await twilioSignature(FAKE_AUTH_TOKEN, withPort, form);
		// Not the signature for the URL as written without the port: the :443 form is what makes it pass.
		expect(signature).not.toBe(await twilioSignature(FAKE_AUTH_TOKEN, STATUS_CALLBACK_URL, form));
		await accepted(report(sid, phone, "delivered"), { signature });
		expect(await message(sid)).toMatchObject({ status: "delivered" });
		expect(await deliveryOf(phone)).toBe("delivered");
	});

	it("accepts a callback signed for PUBLIC_BASE_URL that reaches the Worker under another host (a proxy)", async () => {
		const { phone, sid } = await sent();
		const form = new URLSearchParams(report(sid, phone, "sent"));
		const signature = await twilioSignature(FAKE_AUTH_TOKEN, STATUS_CALLBACK_URL, form);
		const res = await rawPost(`http://localhost${PATH}`, form.toString(), {
			"content-type": FORM,
			"x-twilio-signature": signature,
		});
		expect(res.status).toBe(204);
		expect(await message(sid)).toMatchObject({ status: "sent" });
	});

	it("accepts a callback signed for the URL the Worker was called at", async () => {
		const { phone, sid } = await sent();
		await accepted(report(sid, phone, "sent"), { url: `http://localhost${PATH}` });
		expect(await message(sid)).toMatchObject({ status: "sent" });
	});

	it("duplicate callbacks are harmless: one event per status, the status unchanged", async () => {
		const { phone, sid } = await sent();
		await accepted(report(sid, phone, "sent"));
		await accepted(report(sid, phone, "delivered"));
		const first = await message(sid);
		await accepted(report(sid, phone, "delivered"));
		await accepted(report(sid, phone, "sent"));
		await accepted(report(sid, phone, "delivered"));
		const after = await message(sid);
		expect(after).toMatchObject({ status: "delivered", statusRank: 5 });
		expect(after?.events).toHaveLength(3);
		expect(await eventStatuses(sid)).toEqual(["delivered", "queued", "sent"]);
		// The first report of each status stands.
		expect(after?.events).toEqual(first?.events);
		expect(await deliveryOf(phone)).toBe("delivered");
	});

	it("out of order: 'delivered' then 'sent' keeps 'delivered' and records both events", async () => {
		const { phone, sid } = await sent();
		await accepted(report(sid, phone, "delivered"));
		await accepted(report(sid, phone, "sent"));
		expect(await message(sid)).toMatchObject({ status: "delivered", statusRank: 5 });
		expect(await eventStatuses(sid)).toEqual(["delivered", "queued", "sent"]);
		expect(await deliveryOf(phone)).toBe("delivered");
	});

	it("the first outcome heard stands: 'undelivered' after 'delivered' changes neither the row nor otp-status", async () => {
		const { phone, sid } = await sent();
		await accepted(report(sid, phone, "delivered"));
		await accepted(report(sid, phone, "undelivered", { ErrorCode: "30003" }));
		expect(await message(sid)).toMatchObject({ status: "delivered" });
		expect(await deliveryOf(phone)).toBe("delivered");
	});

	it("an outcome that lost (undelivered after delivered) does not pin its ErrorCode on the delivered message", async () => {
		const { phone, sid } = await sent();
		await accepted(report(sid, phone, "delivered"));
		await accepted(report(sid, phone, "undelivered", { ErrorCode: "30003" }));
		const row = await message(sid);
		// The late report is kept as an event, with its code…
		expect(row?.events).toContainEqual(expect.objectContaining({ status: "undelivered", errorCode: 30003 }));
		// …but the message was delivered: its row must not say 30003 (schema: the code of an undelivered or failed message).
		expect(row).toMatchObject({ status: "delivered", errorCode: null });
	});

	it("'undelivered' with ErrorCode 30003: otp-status says failed, the row holds the code", async () => {
		const { phone, sid } = await sent();
		await accepted(report(sid, phone, "sent"));
		await accepted(report(sid, phone, "undelivered", { ErrorCode: "30003" }));
		const row = await message(sid);
		expect(row).toMatchObject({ status: "undelivered", errorCode: 30003 });
		expect(row?.events).toContainEqual(expect.objectContaining({ status: "undelivered", errorCode: 30003 }));
		expect(row?.events).toContainEqual(expect.objectContaining({ status: "sent", errorCode: null }));

		const res = await otpStatus(phone);
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ success: true, phone, status: "pending", delivery: "failed" });
		// A late 'delivered' for the same message does not undo the failure.
		await accepted(report(sid, phone, "delivered"));
		expect(await message(sid)).toMatchObject({ status: "undelivered", errorCode: 30003 });
		expect(await deliveryOf(phone)).toBe("failed");
	});

	it("'failed' and 'canceled' show as failed; 'read' as delivered", async () => {
		for (const [status, shown] of [
			["failed", "failed"],
			["canceled", "failed"],
			["read", "delivered"],
		] as const) {
			const { phone, sid } = await sent();
			await accepted(report(sid, phone, status));
			expect(await message(sid)).toMatchObject({ status });
			expect(await deliveryOf(phone)).toBe(shown);
		}
	});

	it("a callback for the SID of an earlier code (after a resend) leaves the new code's delivery alone", async () => {
		const phone = uniquePhone(CLOCK_AREA);
		await setClock(phone, T0);
		expect((await sendOtp(phone)).status).toBe(200);
		const oldSid = await lastSid(phone);
		await setClock(phone, T0 + 30_000);
		const resent = await resendOtp(phone);
		expect(resent.status).toBe(200);
		expect(await resent.json()).toMatchObject({ channel: "sms", delivery: "queued" });
		const newSid = await lastSid(phone);
		expect(newSid).not.toBe(oldSid);

		await accepted(report(oldSid, phone, "delivered"));
		expect(await deliveryOf(phone)).toBe("queued");
		// The old message's own row still learns its status.
		expect(await message(oldSid)).toMatchObject({ status: "delivered" });
		expect(await message(newSid)).toMatchObject({ status: "queued" });

		await accepted(report(oldSid, phone, "undelivered", { ErrorCode: "30003" }));
		expect(await deliveryOf(phone)).toBe("queued");

		// The new SID's reports do reach otp-status.
		await accepted(report(newSid, phone, "undelivered", { ErrorCode: "30005" }));
		expect(await deliveryOf(phone)).toBe("failed");
		expect(await message(newSid)).toMatchObject({ status: "undelivered", errorCode: 30005 });
	});

	it("a callback for another phone's SID changes that message's row but not this phone's delivery", async () => {
		const a = await sent();
		const b = await sent();
		// Reported with b's number: b's object holds another SID, so it ignores it.
		await accepted(report(a.sid, b.phone, "delivered"));
		expect(await message(a.sid)).toMatchObject({ status: "delivered" });
		expect(await deliveryOf(b.phone)).toBe("queued");
		expect(await deliveryOf(a.phone)).toBe("queued");
	});

	it.each([
		["a malformed MessageSid", { MessageSid: "SMnot-a-sid" }],
		["a SID with the wrong prefix", { MessageSid: `CA${"0".repeat(32)}` }],
		["a SID one digit short", { MessageSid: `SM${"a".repeat(31)}` }],
		["a malformed MessageStatus", { MessageStatus: "Delivered!" }],
		["a To that is not a phone number", { To: "not a phone" }],
		["a non-numeric ErrorCode", { ErrorCode: "30003x" }],
	])("a signed callback with %s: 204 and nothing recorded", async (_, garbage) => {
		const { phone, sid } = await sent();
		const params: Record<string, string> = { ...report(sid, phone, "delivered"), ...garbage };
		await accepted(params);
		await expectUntouched(sid, phone);
		if (params.MessageSid !== sid) expect(await message(params.MessageSid as string)).toBeUndefined();
	});

	it("a signed request without any of the fields: 204 and nothing recorded", async () => {
		const { phone, sid } = await sent();
		await accepted({ CallSid: "CA1234567890ABCDE", CallStatus: "completed" });
		await accepted({});
		await expectUntouched(sid, phone);
	});
});

describe("refused status callbacks", () => {
	it("an invalid signature: 403 INVALID_SIGNATURE and nothing recorded", async () => {
		const { phone, sid } = await sent();
		await expectRefused(await statusCallback(report(sid, phone, "delivered"), { signature: "bm90IGEgc2lnbmF0dXJl" }));
		await expectUntouched(sid, phone);

		// A message nobody sent gets no row either.
		const made = unknownSid();
		await expectRefused(await statusCallback(report(made, phone, "delivered"), { signature: "x" }));
		expect(await message(made)).toBeUndefined();
	});

	it("a signature made with another auth token: 403", async () => {
		const { phone, sid } = await sent();
		await expectRefused(await statusCallback(report(sid, phone, "delivered"), { authToken: "not-the-token" }));
		await expectUntouched(sid, phone);
	});

	it("a signature for another URL: 403", async () => {
		const { phone, sid } = await sent();
		const form = new URLSearchParams(report(sid, phone, "delivered"));
		for (const other of [
			`https://evil.example.com${PATH}`,
			`http://verify.example.com${PATH}`,
			`https://verify.example.com${PATH}?x=1`,
			"https://verify.example.com/api/webhooks/twilio/other",
			`https://verify.example.com:8443${PATH}`,
		]) {
			const signature = await twilioSignature(FAKE_AUTH_TOKEN, other, form);
			await expectRefused(await statusCallback(report(sid, phone, "delivered"), { signature }));
		}
		await expectUntouched(sid, phone);
	});

	it("a request to another URL than the one signed (a query added): 403", async () => {
		const { phone, sid } = await sent();
		const form = new URLSearchParams(report(sid, phone, "delivered"));
		const signature = await twilioSignature(FAKE_AUTH_TOKEN, STATUS_CALLBACK_URL, form);
		const res = await rawPost(`${STATUS_CALLBACK_URL}?replay=1`, form.toString(), {
			"content-type": FORM,
			"x-twilio-signature": signature,
		});
		await expectRefused(res);
		await expectUntouched(sid, phone);
	});

	it("params tampered with after signing: 403", async () => {
		const { phone, sid } = await sent();
		const signed = report(sid, phone, "sent");
		const signature = await twilioSignature(FAKE_AUTH_TOKEN, STATUS_CALLBACK_URL, new URLSearchParams(signed));
		await expectRefused(await statusCallback({ ...signed, MessageStatus: "delivered" }, { signature }));
		await expectRefused(await statusCallback({ ...signed, ErrorCode: "30003" }, { signature }));
		const { AccountSid: _, ...without } = signed;
		await expectRefused(await statusCallback(without, { signature }));
		await expectUntouched(sid, phone);
		// The untampered request passes with the same signature.
		await accepted(signed, { signature });
		expect(await message(sid)).toMatchObject({ status: "sent" });
	});

	it("no X-Twilio-Signature header: 403", async () => {
		const { phone, sid } = await sent();
		await expectRefused(await statusCallback(report(sid, phone, "delivered"), { sign: false }));
		await expectRefused(await statusCallback(report(sid, phone, "delivered"), { signature: "" }));
		await expectUntouched(sid, phone);
	});

	it("a body that is not form-encoded: 403, even when the form inside is correctly signed", async () => {
		const { phone, sid } = await sent();
		const params = report(sid, phone, "delivered");
		const form = new URLSearchParams(params);
		const signature = await twilioSignature(FAKE_AUTH_TOKEN, STATUS_CALLBACK_URL, form);
		for (const type of ["application/json", "text/plain", "multipart/form-data; boundary=x"]) {
			const res = await rawPost(STATUS_CALLBACK_URL, form.toString(), {
				"content-type": type,
				"x-twilio-signature": signature,
			});
			await expectRefused(res);
		}
		// JSON, signed as Twilio would sign the same fields.
		const json = await rawPost(STATUS_CALLBACK_URL, JSON.stringify(params), {
			"content-type": "application/json",
			"x-twilio-signature": signature,
		});
		await expectRefused(json);
		// No content type at all.
		const none = await exports.default.fetch(STATUS_CALLBACK_URL, {
			method: "POST",
			headers: { "x-twilio-signature": signature },
			body: new TextEncoder().encode(form.toString()),
		});
		await expectRefused(none);
		await expectUntouched(sid, phone);
	});
});

describe("otp-status", () => {
	it("an unknown phone: 404 OTP_NOT_FOUND, and no object storage is left behind", async () => {
		const phone = uniquePhone(AREA);
		const res = await otpStatus(phone);
		expect(res.status).toBe(404);
		expect(await res.json()).toMatchObject({ success: false, code: "OTP_NOT_FOUND" });
		expectRequestId(res);
		expect(await storedChallenge(phone)).toBeNull();
	});

	it("right after a send: pending, queued, full attempts, the cooldown, and nothing personal", async () => {
		const { phone } = await sent();
		const code = await lastCode(phone);
		const res = await otpStatus(phone);
		expect(res.status).toBe(200);
		expectRequestId(res);
		const text = await res.text();
		const body = JSON.parse(text) as Record<string, unknown>;
		expect(body).toEqual({
			success: true,
			phone,
			status: "pending",
			channel: "sms",
			delivery: "queued",
			expiresIn: expect.any(Number),
			attemptsRemaining: 3,
			resendIn: expect.any(Number),
			emailFallback: true,
		});
		expect(body.expiresIn).toBeGreaterThan(290);
		expect(body.expiresIn).toBeLessThanOrEqual(300);
		// The 30 s cooldown (rounded up at most once more).
		expect(body.resendIn).toBeGreaterThan(25);
		expect(body.resendIn).toBeLessThanOrEqual(31);

		const { name, email } = registration(phone);
		for (const secret of [code, name, email, PASSWORD, "password", "otp"]) {
			expect(text).not.toContain(secret);
		}
	});

	it("attemptsRemaining falls with each wrong code; the status shows locked after the last", async () => {
		const { phone } = await sent();
		const code = await lastCode(phone);
		const remaining = async () =>
			((await (await otpStatus(phone)).json()) as { attemptsRemaining: number }).attemptsRemaining;
		expect(await remaining()).toBe(3);
		expect((await verifyOtp(phone, wrongCode(code))).status).toBe(400);
		expect(await remaining()).toBe(2);
		expect((await verifyOtp(phone, wrongCode(code))).status).toBe(400);
		expect(await remaining()).toBe(1);
		const last = await verifyOtp(phone, wrongCode(code));
		expect(last.status).toBe(429);
		expect(await last.json()).toMatchObject({ code: "OTP_TOO_MANY_ATTEMPTS" });
		const res = await otpStatus(phone);
		expect(await res.json()).toMatchObject({ status: "locked", attemptsRemaining: 0 });
	});

	it("resendIn and expiresIn count down with the object's clock; resendIn is 0 once the cooldown is over", async () => {
		// otp-status reads the object's clock for the state and the Worker's (real) clock for "now":
		// the sends are placed in the past on the object's clock, which is then pinned to the real time.
		const status = async (phone: string) => {
			await setClock(phone, Date.now());
			return (await (await otpStatus(phone)).json()) as { resendIn: number; expiresIn: number; status: string };
		};
		const within = uniquePhone(CLOCK_AREA);
		await setClock(within, Date.now() - 20_000);
		expect((await sendOtp(within)).status).toBe(200);
		const early = await status(within);
		expect(early.status).toBe("pending");
		expect(early.resendIn).toBeGreaterThanOrEqual(9);
		expect(early.resendIn).toBeLessThanOrEqual(11);
		expect(early.expiresIn).toBeGreaterThanOrEqual(279);
		expect(early.expiresIn).toBeLessThanOrEqual(281);

		const over = uniquePhone(CLOCK_AREA);
		await setClock(over, Date.now() - 31_000);
		expect((await sendOtp(over)).status).toBe(200);
		expect(await status(over)).toMatchObject({ status: "pending", resendIn: 0 });
	});
});

describe("X-Request-Id", () => {
	it("is on every response: 204, 403, 404, 200, each its own, a caller's plain id echoed", async () => {
		const { phone, sid } = await sent();
		const ids = new Set<string>();
		const ok = await statusCallback(report(sid, phone, "sent"));
		expect(ok.status).toBe(204);
		ids.add(expectRequestId(ok));
		const refused = await statusCallback(report(sid, phone, "sent"), { sign: false });
		expect(refused.status).toBe(403);
		ids.add(expectRequestId(refused));
		const missing = await otpStatus(uniquePhone(AREA));
		expect(missing.status).toBe(404);
		ids.add(expectRequestId(missing));
		const status = await otpStatus(phone);
		expect(status.status).toBe(200);
		ids.add(expectRequestId(status));
		expect(ids.size).toBe(4);

		const echoed = await exports.default.fetch(STATUS_CALLBACK_URL, {
			method: "POST",
			headers: { "content-type": FORM, "x-request-id": "twilio-trace.42" },
			body: "",
		});
		expect(echoed.status).toBe(403);
		expect(echoed.headers.get("x-request-id")).toBe("twilio-trace.42");
	});
});
