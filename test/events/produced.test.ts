import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { twilioSignature } from "../../src/messaging/twilio-signature";
import { PASSWORD, registration, uniquePhone } from "../support/api";
import { type EventsApp, eventsApp } from "../support/events";
import { FAKE_AUTH_TOKEN } from "../support/fake-twilio";
import { lastCode, lastSid, STATUS_CALLBACK_URL, wrongCode } from "../support/outbox";
import { resetCode } from "../support/password-reset";

// Each event, produced by the request that causes it, with its data and nothing secret.

const AREA = "479";
const NEW_PASSWORD = "a brand new passphrase";
const masked = (phone: string) => `${phone.slice(0, 5)}***${phone.slice(-4)}`;

async function register(app: EventsApp) {
	const phone = uniquePhone(AREA);
	const sent = await app.request("/api/customers/send-otp", { body: registration(phone) });
	expect(sent.status).toBe(200);
	const { registrationId } = (await sent.json()) as { registrationId: string };
	const code = await lastCode(phone);
	const res = await app.request("/api/customers/verify-otp", { body: { phone, otp: code, registrationId } });
	expect(res.status).toBe(201);
	const tokens = (await res.json()) as { customerId: number; accessToken: string; refreshToken: string };
	return { phone, code, registrationId, email: registration(phone).email, ...tokens };
}

/** Nothing a queued event carries may be a password, code, token, full phone number or email. */
function expectNoSecrets(app: EventsApp, secrets: string[]) {
	const queued = JSON.stringify(app.sent);
	for (const secret of secrets) expect(queued).not.toContain(secret);
}

function expectEvent(app: EventsApp, index: number, type: string, data: Record<string, unknown>) {
	const event = app.sent[index];
	expect(event).toEqual({ id: expect.stringMatching(/^msg_[0-9a-f]{32}$/), type, timestamp: expect.any(String), data });
	expect(new Date(event?.timestamp ?? "").toISOString()).toBe(event?.timestamp);
}

describe("the events a request produces", () => {
	it("customer.registered: the customer id, the masked phone and the channel, once, after verify-otp", async () => {
		const app = eventsApp();
		const c = await register(app);
		expect(app.sent).toHaveLength(1);
		expectEvent(app, 0, "customer.registered", { customerId: c.customerId, phone: masked(c.phone), channel: "sms" });
		expectNoSecrets(app, [PASSWORD, c.code, c.phone, c.email, c.accessToken, c.refreshToken, c.registrationId]);
	});

	it("verification.locked: on the guess that burns the code, not before and not after", async () => {
		const app = eventsApp();
		const phone = uniquePhone(AREA);
		const sent = await app.request("/api/customers/send-otp", { body: registration(phone) });
		const { registrationId } = (await sent.json()) as { registrationId: string };
		const code = await lastCode(phone);
		const guess = () =>
			app.request("/api/customers/verify-otp", { body: { phone, otp: wrongCode(code), registrationId } });
		expect((await guess()).status).toBe(400);
		expect((await guess()).status).toBe(400);
		expect(app.sent).toEqual([]);
		const last = await guess();
		expect(last.status).toBe(429);
		expect(await last.json()).toMatchObject({ code: "OTP_TOO_MANY_ATTEMPTS" });
		expectEvent(app, 0, "verification.locked", { phone: masked(phone), purpose: "register" });
		// The burned code answers the same again, uncounted: no second event.
		expect((await guess()).status).toBe(429);
		expect(app.sent).toHaveLength(1);
		expectNoSecrets(app, [code, wrongCode(code), phone, registrationId]);
	});

	it("password.reset: the customer id, after the new password is set", async () => {
		const app = eventsApp();
		const c = await register(app);
		expect((await app.request("/api/customers/password-reset/send-otp", { body: { phone: c.phone } })).status).toBe(
			200,
		);
		const code = await resetCode(c.phone);
		const res = await app.request("/api/customers/password-reset/verify", {
			body: { phone: c.phone, otp: code, newPassword: NEW_PASSWORD },
		});
		expect(res.status).toBe(200);
		expect(app.sent.map((e) => e.type)).toEqual(["customer.registered", "password.reset"]);
		expectEvent(app, 1, "password.reset", { customerId: c.customerId });
		expectNoSecrets(app, [PASSWORD, NEW_PASSWORD, code, c.phone, c.email]);
	});

	it("verification.locked for a reset code: purpose reset", async () => {
		const app = eventsApp();
		const c = await register(app);
		expect((await app.request("/api/customers/password-reset/send-otp", { body: { phone: c.phone } })).status).toBe(
			200,
		);
		const code = await resetCode(c.phone);
		const statuses: number[] = [];
		for (let i = 0; i < 3; i++) {
			const res = await app.request("/api/customers/password-reset/verify", {
				body: { phone: c.phone, otp: wrongCode(code), newPassword: NEW_PASSWORD },
			});
			statuses.push(res.status);
		}
		expect(statuses).toEqual([400, 400, 429]);
		expect(app.sent.map((e) => e.type)).toEqual(["customer.registered", "verification.locked"]);
		expectEvent(app, 1, "verification.locked", { phone: masked(c.phone), purpose: "reset" });
		expectNoSecrets(app, [PASSWORD, NEW_PASSWORD, code, c.phone, c.email]);
	});

	it("session.reuse_detected: the customer and the revoked session, when a used refresh token comes back", async () => {
		const app = eventsApp();
		const c = await register(app);
		const refresh = () => app.request("/api/customers/refresh", { body: { refreshToken: c.refreshToken } });
		const first = await refresh();
		expect(first.status).toBe(200);
		const rotated = (await first.json()) as { accessToken: string; refreshToken: string };
		expect(app.sent).toHaveLength(1);
		const reused = await refresh();
		expect(await reused.json()).toMatchObject({ code: "TOKEN_REUSED" });
		expectEvent(app, 1, "session.reuse_detected", {
			customerId: c.customerId,
			session: expect.stringMatching(/^[\w-]{8}$/),
		});
		// The session is revoked now: a third try is UNAUTHORIZED and alerts no one again.
		expect((await refresh()).status).toBe(401);
		expect(app.sent).toHaveLength(2);
		expectNoSecrets(app, [c.refreshToken, rotated.refreshToken, rotated.accessToken, c.accessToken]);
	});

	it("customer.deleted: the customer id, once the account is gone", async () => {
		const app = eventsApp();
		const c = await register(app);
		const res = await app.request("/api/customers/me", {
			method: "DELETE",
			headers: { authorization: `Bearer ${c.accessToken}` },
			body: { password: PASSWORD },
		});
		expect(res.status).toBe(200);
		expect(app.sent.map((e) => e.type)).toEqual(["customer.registered", "customer.deleted"]);
		expectEvent(app, 1, "customer.deleted", { customerId: c.customerId });
		expectNoSecrets(app, [PASSWORD, c.accessToken, c.refreshToken, c.phone, c.email]);
	});

	it("message.undelivered: the masked phone, the channel and Twilio's error code; delivered says nothing", async () => {
		const app = eventsApp();
		const phone = uniquePhone(AREA);
		expect((await app.request("/api/customers/send-otp", { body: registration(phone) })).status).toBe(200);
		const sid = await lastSid(phone);
		const callback = async (params: Record<string, string>) => {
			const form = new URLSearchParams({ MessageSid: sid, To: phone, AccountSid: env.TWILIO_ACCOUNT_SID, ...params });
			const signature = await twilioSignature(FAKE_AUTH_TOKEN, STATUS_CALLBACK_URL, form);
			return app.request(STATUS_CALLBACK_URL, {
				headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
				body: form.toString(),
				method: "POST",
			});
		};
		expect((await callback({ MessageStatus: "sent" })).status).toBe(204);
		expect((await callback({ MessageStatus: "delivered" })).status).toBe(204);
		expect(app.sent).toEqual([]);
		expect((await callback({ MessageStatus: "undelivered", ErrorCode: "30003" })).status).toBe(204);
		expectEvent(app, 0, "message.undelivered", { phone: masked(phone), channel: "sms", providerCode: 30003 });
		expect((await callback({ MessageStatus: "failed" })).status).toBe(204);
		expectEvent(app, 1, "message.undelivered", { phone: masked(phone), channel: "sms" });
		expectNoSecrets(app, [phone, await lastCode(phone)]);
	});
});
