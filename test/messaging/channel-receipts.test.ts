import { describe, expect, it } from "vitest";
import { ALL_CHANNELS, CALL_STATUS_URL, callStatus, callsTo, whatsappTo } from "../support/channels";
import { setClock } from "../support/objects";
import { nanpNumbers } from "../support/ranges";
import { clientOn } from "../support/registration";
import { accepted, eventStatuses, expectRefused, message, rawPost, report } from "../support/status-callbacks";

/** Delivery receipts of WhatsApp messages and voice calls, and what otp-status makes of them. */

const phoneIn = nanpNumbers(5300);
const AREA = "646";
const client = clientOn("198.51.100.71", ALL_CHANNELS);

async function statusOf(phone: string) {
	const res = await client.status(phone);
	expect(res.status).toBe(200);
	return (await res.json()) as { channel: string; delivery: string; deliveries: unknown; nextChannel: unknown };
}

/** A fresh phone with a code sent by `channel`; the provider's id of the message or call. */
async function sentBy(channel: "whatsapp" | "call") {
	const phone = phoneIn(AREA);
	expect((await client.send(phone, { channel })).status).toBe(200);
	const sid = channel === "call" ? (await callsTo(phone))[0]?.sid : (await whatsappTo(phone))[0]?.sid;
	return { phone, sid: sid as string };
}

const callReport = (sid: string, phone: string, status: string) => ({ CallSid: sid, CallStatus: status, To: phone });

describe("WhatsApp receipts (the message-status endpoint, To=whatsapp:+…)", () => {
	it("sent, delivered and read are recorded under the whatsapp channel; otp-status follows", async () => {
		const { phone, sid } = await sentBy("whatsapp");
		expect(await statusOf(phone)).toMatchObject({
			channel: "whatsapp",
			delivery: "queued",
			deliveries: { whatsapp: "queued" },
		});
		await accepted(report(sid, `whatsapp:${phone}`, "sent"));
		await accepted(report(sid, `whatsapp:${phone}`, "delivered"));
		await accepted(report(sid, `whatsapp:${phone}`, "read"));
		expect(await message(sid)).toMatchObject({ channel: "whatsapp", status: "read" });
		expect(await eventStatuses(sid)).toEqual(["delivered", "queued", "read", "sent"]);
		expect(await statusOf(phone)).toMatchObject({ delivery: "delivered", deliveries: { whatsapp: "delivered" } });
	});

	it("failed with 63003 (not on WhatsApp): whatsapp failed, the error code kept, the next channel offered", async () => {
		const { phone, sid } = await sentBy("whatsapp");
		await accepted(report(sid, `whatsapp:${phone}`, "failed", { ErrorCode: "63003" }));
		expect(await message(sid)).toMatchObject({ status: "failed", errorCode: 63003 });
		// OTP_CHANNEL_ORDER sms,whatsapp,call: SMS was not tried yet.
		expect(await statusOf(phone)).toMatchObject({
			delivery: "failed",
			deliveries: { whatsapp: "failed" },
			nextChannel: "sms",
		});
	});

	it("an unsigned WhatsApp receipt is refused and changes nothing", async () => {
		const { phone, sid } = await sentBy("whatsapp");
		const body = new URLSearchParams(report(sid, `whatsapp:${phone}`, "failed")).toString();
		const url = "https://verify.example.com/api/webhooks/twilio/message-status";
		await expectRefused(await rawPost(url, body, { "content-type": "application/x-www-form-urlencoded" }));
		expect(await statusOf(phone)).toMatchObject({ delivery: "queued" });
	});
});

describe("call receipts (/api/webhooks/twilio/call-status)", () => {
	it("in-progress then completed: the call counts as delivered and is recorded under the call channel", async () => {
		const { phone, sid } = await sentBy("call");
		for (const status of ["ringing", "in-progress", "completed"]) {
			const res = await callStatus(callReport(sid, phone, status));
			expect(res.status).toBe(204);
		}
		expect(await message(sid)).toMatchObject({ channel: "call", status: "delivered" });
		expect(await statusOf(phone)).toMatchObject({
			channel: "call",
			delivery: "delivered",
			deliveries: { call: "delivered" },
		});
	});

	it.each(["busy", "no-answer", "failed", "canceled"])(
		"%s: the call failed; otp-status offers the next channel",
		async (status) => {
			const { phone, sid } = await sentBy("call");
			expect((await callStatus(callReport(sid, phone, status))).status).toBe(204);
			expect(await statusOf(phone)).toMatchObject({
				delivery: "failed",
				deliveries: { call: "failed" },
				nextChannel: "sms",
			});
		},
	);

	it("a late 'completed' after 'no-answer' changes nothing: the first outcome stands", async () => {
		const { phone, sid } = await sentBy("call");
		expect((await callStatus(callReport(sid, phone, "no-answer"))).status).toBe(204);
		expect((await callStatus(callReport(sid, phone, "completed"))).status).toBe(204);
		expect(await statusOf(phone)).toMatchObject({ delivery: "failed" });
	});

	it("unsigned, or signed with another token: 403 INVALID_SIGNATURE, nothing recorded", async () => {
		const { phone, sid } = await sentBy("call");
		await expectRefused(await callStatus(callReport(sid, phone, "completed"), false));
		const form = new URLSearchParams(callReport(sid, phone, "completed")).toString();
		const forged = { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "AAAA" };
		await expectRefused(await rawPost(CALL_STATUS_URL, form, forged));
		expect(await statusOf(phone)).toMatchObject({ delivery: "queued" });
	});

	it("a signed callback that is not a call status (a message SID, an unknown status): 204 and ignored", async () => {
		const { phone, sid } = await sentBy("call");
		expect((await callStatus({ CallSid: `SM${sid.slice(2)}`, CallStatus: "completed", To: phone })).status).toBe(204);
		expect((await callStatus(callReport(sid, phone, "exploded"))).status).toBe(204);
		expect(await statusOf(phone)).toMatchObject({ delivery: "queued" });
	});
});

describe("otp-status across channels", () => {
	it("lists every channel tried with its latest outcome, and nextChannel walks OTP_CHANNEL_ORDER, then email, then null", async () => {
		const { phone, sid } = await sentBy("call");
		expect((await callStatus(callReport(sid, phone, "busy"))).status).toBe(204);
		expect(await statusOf(phone)).toMatchObject({ deliveries: { call: "failed" }, nextChannel: "sms" });
		// Statuses of the other channels as if they were tried and failed: the object remembers each one.
		for (const [i, channel] of (["sms", "whatsapp"] as const).entries()) {
			await setClock(phone, Date.now() + (i + 1) * 31_000);
			expect((await client.resend(phone, undefined, channel)).status).toBe(200);
		}
		const state = await statusOf(phone);
		expect(state).toMatchObject({
			channel: "whatsapp",
			deliveries: { call: "failed", sms: "queued", whatsapp: "queued" },
			nextChannel: "email",
		});
		await setClock(phone, Date.now() + 3 * 31_000);
		expect((await client.resend(phone, undefined, "email")).status).toBe(200);
		expect(await statusOf(phone)).toMatchObject({ channel: "email", nextChannel: null });
	});
});
