import { describe, expect, it } from "vitest";
import { post, registration } from "../support/api";
import {
	ALL_CHANNELS,
	CONTENT_EN,
	CONTENT_ES,
	callsTo,
	lastCallCode,
	lastWhatsAppCode,
	WHATSAPP_FROM,
	whatsappTo,
} from "../support/channels";
import { FAKE_FROM } from "../support/fake-twilio";
import { counterTotal, setClock, storedChallenge } from "../support/objects";
import { failNextSms, smsTo } from "../support/outbox";
import { nanpNumbers } from "../support/ranges";
import { clientOn } from "../support/registration";

/** send-otp and resend-otp by WhatsApp and voice call: what goes out, what is refused. */

const phoneIn = nanpNumbers(5100);
const AREA = "312";
/** A Canadian area code: outside OTP_CALL_COUNTRIES=US. */
const CANADA = "604";
/** The test numbers of the bindings and their fixed codes. */
const TEST_NUMBERS = { call: ["+15005550199", "123456"], whatsapp: ["+447700900123", "654321"] } as const;
const T0 = Date.UTC(2031, 0, 1);
const past = (phone: string, ms: number) => setClock(phone, T0 + ms);
const client = clientOn("198.51.100.61", ALL_CHANNELS);
const smsOnly = clientOn("198.51.100.62");

describe("send-otp by WhatsApp", () => {
	it("sends the template with the code as its variable, no Body, from the WhatsApp sender; the code registers", async () => {
		const phone = phoneIn(AREA);
		const res = await client.send(phone, { channel: "whatsapp" });
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ channel: "whatsapp", delivery: "queued" });
		const [message, ...more] = await whatsappTo(phone);
		expect(more).toEqual([]);
		expect(message).toMatchObject({ to: `whatsapp:${phone}`, from: WHATSAPP_FROM, contentSid: CONTENT_EN, body: "" });
		expect(JSON.parse(message?.contentVariables ?? "")).toEqual({ 1: expect.stringMatching(/^\d{6}$/) });
		expect(await smsTo(phone)).toEqual([]);
		expect((await client.verify(phone, await lastWhatsAppCode(phone))).status).toBe(201);
	});

	it("takes the template of the registration's language, and a resend keeps it", async () => {
		const phone = phoneIn(AREA);
		await past(phone, 0);
		expect((await client.send(phone, { channel: "whatsapp", locale: "es-MX" })).status).toBe(200);
		expect((await whatsappTo(phone)).at(-1)?.contentSid).toBe(CONTENT_ES);
		expect(await storedChallenge(phone)).toMatchObject({ delivery: expect.stringContaining('"locale":"es"') });
		await past(phone, 31_000);
		expect((await client.resend(phone, undefined, "whatsapp")).status).toBe(200);
		const sent = await whatsappTo(phone);
		expect(sent.map((m) => m.contentSid)).toEqual([CONTENT_ES, CONTENT_ES]);
	});

	it("a number WhatsApp does not know (63003 at send): 422 CHANNEL_UNREACHABLE; the SMS registration stays, whatsapp counts as failed", async () => {
		const phone = phoneIn(AREA);
		await past(phone, 0);
		expect((await client.send(phone)).status).toBe(200);
		const before = await storedChallenge(phone);
		await past(phone, 31_000);
		await failNextSms(`whatsapp:${phone}`, 400, 63003);
		const res = await client.resend(phone, undefined, "whatsapp");
		expect(res.status).toBe(422);
		expect(await res.json()).toMatchObject({ code: "CHANNEL_UNREACHABLE", field: "phone" });
		expect(await storedChallenge(phone)).toMatchObject({ generation: before?.generation, code_mac: before?.code_mac });
		const status = (await (await client.status(phone)).json()) as Record<string, unknown>;
		expect(status).toMatchObject({
			channel: "sms",
			deliveries: { sms: "queued", whatsapp: "failed" },
			nextChannel: "call",
		});
	});

	it("is refused where the SMS country policy refuses (Cuba is blocked): 403 COUNTRY_NOT_ALLOWED", async () => {
		const phone = "+5352345678";
		const res = await client.send(phone, { channel: "whatsapp" });
		expect(res.status).toBe(403);
		expect(await res.json()).toMatchObject({ code: "COUNTRY_NOT_ALLOWED" });
		expect(await whatsappTo(phone)).toEqual([]);
	});
});

describe("send-otp by voice call", () => {
	it("calls from TWILIO_PHONE_NUMBER with TwiML that says the code; the code registers", async () => {
		const phone = phoneIn(AREA);
		const res = await client.send(phone, { channel: "call" });
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ channel: "call", delivery: "queued" });
		const [call] = await callsTo(phone);
		expect(call).toMatchObject({ to: phone, from: FAKE_FROM, sid: expect.stringMatching(/^CA[0-9a-f]{32}$/) });
		expect(call?.twiml).toMatch(/<Say [^>]*language="en-US"/);
		expect(await smsTo(phone)).toEqual([]);
		expect((await client.verify(phone, await lastCallCode(phone))).status).toBe(201);
	});

	it("speaks the registration's language", async () => {
		const phone = phoneIn(AREA);
		expect((await client.send(phone, { channel: "call", locale: "es" })).status).toBe(200);
		const [call] = await callsTo(phone);
		expect(call?.twiml).toMatch(/<Say [^>]*language="es-/);
		expect(call?.twiml).not.toMatch(/language="en/);
	});

	it("a country outside OTP_CALL_COUNTRIES: 403 CHANNEL_UNAVAILABLE, no call, nothing held; SMS still works there", async () => {
		const phone = phoneIn(CANADA);
		const res = await client.send(phone, { channel: "call" });
		expect(res.status).toBe(403);
		expect(await res.json()).toMatchObject({ code: "CHANNEL_UNAVAILABLE" });
		expect(await callsTo(phone)).toEqual([]);
		expect(await storedChallenge(phone)).toBeNull();
		expect((await client.send(phone)).status).toBe(200);
		const status = (await (await client.status(phone)).json()) as Record<string, unknown>;
		expect(status).toMatchObject({ deliveries: { sms: "queued" }, nextChannel: "whatsapp" });
	});

	it("each call counts in the calling code's hourly budget, as an SMS does", async () => {
		const phone = phoneIn(AREA);
		const before = await counterTotal("cc:1");
		expect((await client.send(phone, { channel: "call" })).status).toBe(200);
		expect(await counterTotal("cc:1")).toBe(before + 1);
	});
});

describe("channels not enabled", () => {
	it.each(["whatsapp", "call"])(
		"%s with the default OTP_CHANNELS: 403 CHANNEL_UNAVAILABLE, nothing sent or held",
		async (channel) => {
			const phone = phoneIn(AREA);
			const res = await smsOnly.send(phone, { channel });
			expect(res.status).toBe(403);
			expect(await res.json()).toMatchObject({ success: false, code: "CHANNEL_UNAVAILABLE" });
			expect([...(await whatsappTo(phone)), ...(await callsTo(phone)), ...(await smsTo(phone))]).toEqual([]);
			expect(await storedChallenge(phone)).toBeNull();
		},
	);

	it("resend-otp by a channel not enabled: 403 CHANNEL_UNAVAILABLE; the code held stays", async () => {
		const phone = phoneIn(AREA);
		expect((await smsOnly.send(phone)).status).toBe(200);
		const res = await smsOnly.resend(phone, undefined, "call");
		expect(res.status).toBe(403);
		expect(await res.json()).toMatchObject({ code: "CHANNEL_UNAVAILABLE" });
		expect(await storedChallenge(phone)).toMatchObject({ generation: 1 });
	});

	it("send-otp refuses email (resend only) and an unknown channel with 400 VALIDATION_ERROR", async () => {
		for (const channel of ["email", "pigeon"]) {
			const res = await client.send(phoneIn(AREA), { channel });
			expect(res.status).toBe(400);
			expect(await res.json()).toMatchObject({ code: "VALIDATION_ERROR", field: "channel" });
		}
	});

	it("refuses a locale that is not a language tag, or too long, with 400", async () => {
		for (const locale of ["en_US!", "x".repeat(36), "e"]) {
			const res = await client.send(phoneIn(AREA), { locale });
			expect(res.status).toBe(400);
			expect(await res.json()).toMatchObject({ code: "VALIDATION_ERROR", field: "locale" });
		}
	});
});

describe("the registration's language", () => {
	it("comes from Accept-Language without a locale, and the SMS speaks it", async () => {
		const phone = phoneIn(AREA);
		const res = await post("/api/customers/send-otp", registration(phone), { "accept-language": "xx, fr-CA;q=0.8" });
		expect(res.status).toBe(200);
		expect(await storedChallenge(phone)).toMatchObject({ delivery: expect.stringContaining('"locale":"fr"') });
		expect((await smsTo(phone))[0]?.body).toContain("Votre code de vérification");
	});
});

describe("test numbers", () => {
	it.each(["whatsapp", "call"] as const)("never get a %s; their fixed code registers", async (channel) => {
		const [phone, code] = TEST_NUMBERS[channel];
		const res = await client.send(phone, { channel });
		expect(res.status).toBe(200);
		expect(await whatsappTo(phone)).toEqual([]);
		expect(await callsTo(phone)).toEqual([]);
		expect((await client.verify(phone, code)).status).toBe(201);
	});
});
