import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { twilioSignature } from "../../src/messaging/twilio-signature";
import { uniquePhone } from "../support/api";
import { FAKE_AUTH_TOKEN } from "../support/fake-twilio";
import { STATUS_CALLBACK_URL, statusCallback } from "../support/outbox";
import {
	accepted,
	expectRefused,
	expectRequestId,
	expectUntouched,
	FORM,
	message,
	otpStatus,
	PATH,
	rawPost,
	report,
	smsSent,
	unknownSid,
} from "../support/status-callbacks";

const AREA = "713";

/** A fresh phone with a code sent by SMS; the SID Twilio gave the message. */
const sent = (area = AREA) => smsSent(area);

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
