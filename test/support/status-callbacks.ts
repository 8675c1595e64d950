import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { messageRepository } from "../../src/messaging/message-log";
import { uniquePhone } from "./api";
import { lastSid, statusCallback } from "./outbox";
import { registrationIdOf, sendOtp } from "./registration";

/** Twilio's status callbacks and what they leave behind, as the webhook tests check them. */

export const PATH = "/api/webhooks/twilio/message-status";
export const FORM = "application/x-www-form-urlencoded";

/** Every response of this API carries a request id. */
export function expectRequestId(res: Response): string {
	const id = res.headers.get("x-request-id");
	expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
	return id as string;
}

/** A fresh phone with a code sent by SMS; the SID Twilio gave the message. */
export async function smsSent(area: string): Promise<{ phone: string; sid: string }> {
	const phone = uniquePhone(area);
	const res = await sendOtp(phone);
	expect(res.status).toBe(200);
	expect(await res.json()).toMatchObject({ channel: "sms", delivery: "queued" });
	return { phone, sid: await lastSid(phone) };
}

export const report = (sid: string, phone: string, status: string, extra: Record<string, string> = {}) => ({
	MessageSid: sid,
	MessageStatus: status,
	To: phone,
	AccountSid: "AC00000000000000000000000000000001",
	ApiVersion: "2010-04-01",
	...extra,
});

/** Posts a signed status callback and expects it to be recorded (204, empty body). */
export async function accepted(params: Record<string, string>, options: Parameters<typeof statusCallback>[1] = {}) {
	const res = await statusCallback(params, options);
	expect(res.status).toBe(204);
	expect(await res.text()).toBe("");
	expectRequestId(res);
}

export async function expectRefused(res: Response) {
	expect(res.status).toBe(403);
	expect(await res.json()).toEqual({
		success: false,
		code: "INVALID_SIGNATURE",
		message: expect.any(String),
	});
	expectRequestId(res);
}

/** A raw POST to the callback route: any URL, headers and body. */
export function rawPost(url: string, body: string, headers: Record<string, string>) {
	return exports.default.fetch(url, { method: "POST", headers, body });
}

export const message = (sid: string) => messageRepository(env.DB).find(sid);

/** The statuses a message's events hold, sorted (events heard in the same millisecond have no order). */
export async function eventStatuses(sid: string): Promise<string[]> {
	return ((await message(sid))?.events ?? []).map((e) => e.status).sort();
}

/** A well-formed registrationId that no registration has. */
export const UNHELD_ID = "q1w2E3r4T5y6U7i8O9p0_A";

/** otp-status of the registration `id` of `phone` (default: the one send-otp last answered for it). */
export const otpStatus = (phone: string, id = registrationIdOf(phone) ?? UNHELD_ID) =>
	exports.default.fetch(
		`http://localhost/api/customers/otp-status?${new URLSearchParams({ phone, registrationId: id })}`,
	);

export async function deliveryOf(phone: string): Promise<string> {
	const res = await otpStatus(phone);
	expect(res.status).toBe(200);
	return ((await res.json()) as { delivery: string }).delivery;
}

/** The message as the send left it: queued, one event, and otp-status agrees. */
export async function expectUntouched(sid: string, phone: string) {
	expect(await message(sid)).toMatchObject({ status: "queued", errorCode: null, purpose: "register" });
	expect(await eventStatuses(sid)).toEqual(["queued"]);
	expect(await deliveryOf(phone)).toBe("queued");
}

/** A well-formed SID no message has. */
export const unknownSid = () => `SM${crypto.randomUUID().replaceAll("-", "")}`;
