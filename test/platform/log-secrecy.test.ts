import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { login, post, uniquePhone, withToken } from "../support/api";
import { FAKE_RESEND_KEY } from "../support/fake-resend";
import { codeIn, FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN } from "../support/fake-twilio";
import { argumentTexts, captureLogs, type LogCapture } from "../support/log-capture";
import {
	caseless,
	digits,
	leaks,
	literal,
	phoneSecrets,
	type Secret,
	structured,
	tokenSecrets,
} from "../support/log-secrets";
import { setClock } from "../support/objects";
import { emailsTo, failNextSms, lastEmailCode, lastSid, smsTo, statusCallback } from "../support/outbox";
import { resendOtp, verifyOtp } from "../support/registration";
import { eventually } from "../support/wait";

const AREA = "681";

afterEach(() => {
	vi.restoreAllMocks();
});

describe("log lines hold no secret", () => {
	it("over the whole flow: registration, sign-in, tokens, reset, callbacks, failures, admin, deletion", async () => {
		const logs: LogCapture = captureLogs();
		const ids: string[] = [];
		/** Every request goes through here, so each can be matched to its request line. */
		const track = async (label: string, request: Promise<Response>, status: number): Promise<Response> => {
			const res = await request;
			const body = await res.clone().text();
			expect(res.status, `${label}: ${body}`).toBe(status);
			const id = res.headers.get("X-Request-Id");
			expect(id, `${label}: X-Request-Id`).toBeTruthy();
			ids.push(id as string);
			return res;
		};
		const json = async <T>(res: Response) => (await res.json()) as T;
		type Tokens = { accessToken: string; refreshToken: string };

		const tag = crypto.randomUUID().replaceAll("-", "").slice(0, 10);
		const phone = uniquePhone(AREA);
		const failingPhone = uniquePhone(AREA);
		const name = `Zebulon Quixote-Marmaduke ${tag}`;
		const email = `zq.marmaduke.${tag}@example.com`;
		const failingEmail = `fq.unlucky.${tag}@example.com`;
		const password = `Xylophone-Secret-${tag}!`;
		const wrongPassword = `Wrong-Guess-${tag}#`;
		const newPassword = `Brand-New-Secret-${tag}%`;
		const tokens: Tokens[] = [];
		const sendIp = (n: number) => ({ "cf-connecting-ip": `192.0.2.${n}` });

		// Registration: send, status, a wrong code, resend by SMS, resend by email, a wrong guess at the
		// emailed code's place, then SMS again and verify by it (a phone proven by SMS can reset by SMS).
		const start = Date.now();
		await setClock(phone, start);
		// The client keeps the registrationId send-otp answered and sends it back, as the page does.
		const sent = await track(
			"send-otp",
			post("/api/customers/send-otp", { name, email, phone, password }, sendIp(1)),
			200,
		);
		const { registrationId } = await json<{ registrationId: string }>(sent);
		await track(
			"otp-status",
			exports.default.fetch(
				`http://localhost/api/customers/otp-status?${new URLSearchParams({ phone, registrationId })}`,
			),
			200,
		);
		const firstCode = codeIn((await smsTo(phone)).at(-1)?.body ?? "");
		const wrongFirst = firstCode === "000000" ? "000001" : "000000";
		await track("wrong verify", verifyOtp(phone, wrongFirst, registrationId, sendIp(1)), 400);
		await setClock(phone, start + 31_000);
		await track("resend by SMS", resendOtp(phone, "sms", registrationId, sendIp(1)), 200);
		await setClock(phone, start + 62_000);
		await track("resend by email", resendOtp(phone, "email", registrationId, sendIp(1)), 200);
		const emailCode = await lastEmailCode(email);
		await setClock(phone, start + 93_000);
		await track("resend by SMS again", resendOtp(phone, "sms", registrationId, sendIp(1)), 200);
		const lastSmsCode = codeIn((await smsTo(phone)).at(-1)?.body ?? "");
		tokens.push(
			await json<Tokens>(
				await track("verify by SMS code", verifyOtp(phone, lastSmsCode, registrationId, sendIp(1)), 201),
			),
		);

		// Sessions: a wrong password, sign-in, profile, refresh, a reused refresh token, sign-out.
		await track("login, wrong password", login({ email, password: wrongPassword }), 401);
		const signedIn = await json<Tokens>(await track("login by email", login({ email, password }), 200));
		tokens.push(signedIn);
		await track("GET /me", withToken("/api/customers/me", signedIn.accessToken), 200);
		const refreshed = await json<Tokens>(
			await track("refresh", post("/api/customers/refresh", { refreshToken: signedIn.refreshToken }), 200),
		);
		tokens.push(refreshed);
		await track("refresh token reused", post("/api/customers/refresh", { refreshToken: signedIn.refreshToken }), 401);
		const byPhone = await json<Tokens>(await track("login by phone", login({ phone, password }), 200));
		tokens.push(byPhone);
		await track("logout", post("/api/customers/logout", { refreshToken: byPhone.refreshToken }), 200);

		// Password reset: the code goes out after the answer (waitUntil).
		const smsBefore = (await smsTo(phone)).length;
		await track("reset send", post("/api/customers/password-reset/send-otp", { phone }, sendIp(2)), 200);
		const resetSms = await eventually(async () => (await smsTo(phone))[smsBefore]);
		const resetCode = codeIn(resetSms.body);
		await eventually(async () => (logs.events("sms_sent").some((l) => l.purpose === "reset") ? true : undefined));
		await track(
			"reset verify, wrong code",
			post("/api/customers/password-reset/verify", {
				phone,
				otp: resetCode === "000000" ? "000001" : "000000",
				newPassword,
			}),
			400,
		);
		await track(
			"reset verify",
			post("/api/customers/password-reset/verify", { phone, otp: resetCode, newPassword }),
			200,
		);
		const afterReset = await json<Tokens>(
			await track("login with the new password", login({ phone, password: newPassword }), 200),
		);
		tokens.push(afterReset);

		// Delivery reports: signed ones, and one with a bad signature.
		const sid = await lastSid(phone);
		await track("status callback", statusCallback({ MessageSid: sid, MessageStatus: "delivered", To: phone }), 204);
		await track(
			"status callback, failed delivery",
			statusCallback({ MessageSid: sid, MessageStatus: "undelivered", To: phone, ErrorCode: "30003" }),
			204,
		);
		await track(
			"status callback, bad signature",
			statusCallback({ MessageSid: sid, MessageStatus: "delivered", To: phone }, { signature: "AAAA" }),
			403,
		);

		// Twilio refuses an SMS.
		await failNextSms(failingPhone, 400, 21610);
		await track(
			"send-otp, Twilio refuses",
			post("/api/customers/send-otp", { name, email: failingEmail, phone: failingPhone, password }, sendIp(3)),
			502,
		);

		// The operator's view, then the account's end.
		await track("admin stats", withToken("/api/admin/sms-stats", env.ADMIN_API_TOKEN as string), 200);
		await track(
			"delete, wrong password",
			withToken("/api/customers/me", afterReset.accessToken, { method: "DELETE", body: { password } }),
			401,
		);
		await track(
			"delete",
			withToken("/api/customers/me", afterReset.accessToken, {
				method: "DELETE",
				body: { password: newPassword },
			}),
			200,
		);
		await track("GET /me after deletion", withToken("/api/customers/me", afterReset.accessToken), 401);

		// Every code that went out, by SMS or email, to either phone.
		const smsCodes = [...(await smsTo(phone)), ...(await smsTo(failingPhone))].map((m) => codeIn(m.body));
		const emailCodes = (await emailsTo(email)).flatMap((e) => (e.text ? [codeIn(e.text)] : []));
		const codes = [...new Set([...smsCodes, ...emailCodes])];
		// send-otp, two resends by SMS, reset: four SMS (the refused one never arrived); one email.
		expect(smsCodes).toHaveLength(4);
		expect(emailCodes).toHaveLength(1);
		expect(codes).toContain(firstCode);
		expect(codes).toContain(emailCode);
		expect(codes).toContain(resetCode);
		expect(tokens).toHaveLength(5);

		const adminToken = env.ADMIN_API_TOKEN as string;
		const secrets: Secret[] = [
			...codes.map((code) => digits(`code ${code}`, code)),
			literal("password", password),
			literal("wrong password", wrongPassword),
			literal("new password", newPassword),
			literal("name", name),
			// It lets its holder verify, resend or change the registration.
			literal("registration id", registrationId),
			...tokens.flatMap((t, i) => [
				...tokenSecrets(`access token ${i}`, t.accessToken),
				...tokenSecrets(`refresh token ${i}`, t.refreshToken),
			]),
			...phoneSecrets("phone", phone),
			...phoneSecrets("failing phone", failingPhone),
			caseless("email", email),
			caseless("email's local part", email.slice(0, email.indexOf("@"))),
			caseless("failing email", failingEmail),
			literal("admin token", adminToken),
			literal("Twilio auth token", FAKE_AUTH_TOKEN),
			literal("Twilio Basic credentials", btoa(`${FAKE_ACCOUNT_SID}:${FAKE_AUTH_TOKEN}`)),
			literal("Resend key", FAKE_RESEND_KEY),
		];

		const calls = logs.calls();
		const texts = argumentTexts(calls);
		expect(texts.length).toBeGreaterThan(ids.length);
		expect(leaks(texts, secrets)).toEqual([]);

		// Only structured lines: one string argument holding one JSON object with a level and an event.
		const unstructured = calls.filter((call) => !structured(call));
		expect(unstructured.map((c) => `console.${c.method}(${argumentTexts([c]).join(", ")})`)).toEqual([]);

		// One request line per request made, each under the id its response carried.
		expect(new Set(ids).size).toBe(ids.length);
		for (const id of ids) expect(logs.requestLines(id), `request line of ${id}`).toHaveLength(1);
		const requestLines = logs.lines().filter((l) => l.event === "request");
		expect(requestLines.length).toBeGreaterThanOrEqual(ids.length);

		// The flow did log what it should, so the checks above had something to look at.
		const events = new Set(logs.lines().map((l) => l.event));
		for (const event of [
			"request",
			"sms_sent",
			"email_sent",
			"sms_failed",
			"sms_status",
			"code_verified",
			"refresh_token_reused",
			"customer_deleted",
		])
			expect(events, `an ${event} line`).toContain(event);
	});
});
