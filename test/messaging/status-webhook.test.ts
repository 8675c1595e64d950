import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UNKNOWN_NETWORK } from "../../src/abuse/client-network";
import { twilioSignature } from "../../src/messaging/twilio-signature";
import { PhoneChallenge } from "../../src/otp/phone-challenge";
import { uniquePhone } from "../support/api";
import { FAKE_AUTH_TOKEN } from "../support/fake-twilio";
import { challengeStub, setClock, storedChallenge } from "../support/objects";
import { lastSid, STATUS_CALLBACK_URL } from "../support/outbox";
import { registrationIdOf, resendOtp, sendOtp } from "../support/registration";
import {
	accepted,
	deliveryOf,
	eventStatuses,
	expectUntouched,
	FORM,
	message,
	otpStatus,
	PATH,
	rawPost,
	report,
	smsSent,
} from "../support/status-callbacks";

const AREA = "650";
/** For the tests that move the phone object's clock. */
const CLOCK_AREA = "651";
const T0 = Date.UTC(2030, 0, 1);

/** A fresh phone with a code sent by SMS; the SID Twilio gave the message. */
const sent = (area = AREA) => smsSent(area);

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
			range: `+1${AREA}`,
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
