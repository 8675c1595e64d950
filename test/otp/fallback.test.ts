import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { callsTo, lastWhatsAppCode, setObjectVars, whatsappTo, withFallback } from "../support/channels";
import { challengeStub, counterTotal, setClock, storedChallenge, storedMarks } from "../support/objects";
import { lastCode, lastSid, smsTo } from "../support/outbox";
import { nanpNumbers } from "../support/ranges";
import { clientOn } from "../support/registration";
import { accepted, report } from "../support/status-callbacks";
import { sleep } from "../support/wait";

/**
 * The automatic fallback (OTP_AUTO_FALLBACK=on): a failed receipt, or no
 * `delivered` in OTP_FALLBACK_AFTER_SECONDS, makes the phone's alarm send a
 * new code by the next channel, once per registration.
 */

const phoneIn = nanpNumbers(5500);
const AREA = "415";
const IP = "198.51.100.81";
const SECOND = 1000;
/** Far ahead on the objects' clocks, so no alarm fires by itself: the tests run it. */
const T0 = Date.now() + 400 * 86_400_000;
const ON = withFallback(30);

/** A registration sent by SMS at T0 from IP, with the fallback policy `vars` in the Worker and the object. */
async function sentBySms(vars: Record<string, string> = ON) {
	const phone = phoneIn(AREA);
	await setObjectVars(phone, vars);
	await setClock(phone, T0);
	const client = clientOn(IP, vars);
	expect((await client.send(phone)).status).toBe(200);
	return { phone, client, sid: await lastSid(phone), smsCode: await lastCode(phone) };
}

const runAlarm = (phone: string) => runDurableObjectAlarm(challengeStub(phone));
const undelivered = (sid: string, phone: string) => accepted(report(sid, phone, "undelivered", { ErrorCode: "30003" }));

async function statusOf(client: ReturnType<typeof clientOn>, phone: string) {
	return (await (await client.status(phone)).json()) as Record<string, unknown>;
}

describe("fallback on a failed receipt", () => {
	it("an undelivered SMS: the alarm sends a new code by WhatsApp, counted; the SMS code dies; the WhatsApp code registers", async () => {
		const { phone, client, sid, smsCode } = await sentBySms();
		const budget = await counterTotal("cc:1");
		await undelivered(sid, phone);
		expect(await runAlarm(phone)).toBe(true);
		expect(await whatsappTo(phone)).toHaveLength(1);
		expect(await counterTotal("cc:1")).toBe(budget + 1);
		expect(await storedMarks(phone, "send", "register", IP)).toEqual([T0, T0]);
		expect(await statusOf(client, phone)).toMatchObject({
			channel: "whatsapp",
			deliveries: { sms: "failed", whatsapp: "queued" },
			nextChannel: "call",
		});
		expect((await client.verify(phone, smsCode)).status).toBe(400);
		expect((await client.verify(phone, await lastWhatsAppCode(phone))).status).toBe(201);
	});

	it("once per registration: the fallback's own failure sends nothing more", async () => {
		const { phone, client, sid } = await sentBySms();
		await undelivered(sid, phone);
		await runAlarm(phone);
		const [whatsapp] = await whatsappTo(phone);
		await accepted(report(whatsapp?.sid as string, `whatsapp:${phone}`, "failed", { ErrorCode: "63003" }));
		await setClock(phone, T0 + 120 * SECOND);
		await runAlarm(phone);
		expect(await callsTo(phone)).toEqual([]);
		expect(await smsTo(phone)).toHaveLength(1);
		expect(await whatsappTo(phone)).toHaveLength(1);
		// The person may still ask for the next channel.
		expect(await statusOf(client, phone)).toMatchObject({
			deliveries: { sms: "failed", whatsapp: "failed" },
			nextChannel: "call",
		});
	});

	it("with OTP_AUTO_FALLBACK off nothing is sent by itself; otp-status offers the next channel", async () => {
		const off = { ...ON, OTP_AUTO_FALLBACK: "off" };
		const { phone, client, sid } = await sentBySms(off);
		await undelivered(sid, phone);
		await setClock(phone, T0 + 120 * SECOND);
		await runAlarm(phone);
		expect(await whatsappTo(phone)).toEqual([]);
		expect(await smsTo(phone)).toHaveLength(1);
		expect(await statusOf(client, phone)).toMatchObject({ delivery: "failed", nextChannel: "whatsapp" });
	});
});

describe("fallback on silence", () => {
	it("no delivered receipt within OTP_FALLBACK_AFTER_SECONDS: WhatsApp at 30 s, not before", async () => {
		const { phone } = await sentBySms();
		await setClock(phone, T0 + 29 * SECOND);
		await runAlarm(phone);
		expect(await whatsappTo(phone)).toEqual([]);
		await setClock(phone, T0 + 30 * SECOND);
		await runAlarm(phone);
		expect(await whatsappTo(phone)).toHaveLength(1);
	});

	it("a delivered receipt disarms it", async () => {
		const { phone, sid } = await sentBySms();
		await accepted(report(sid, phone, "delivered"));
		await setClock(phone, T0 + 60 * SECOND);
		await runAlarm(phone);
		expect(await whatsappTo(phone)).toEqual([]);
		expect(JSON.parse(String((await storedChallenge(phone))?.delivery))).toMatchObject({
			fallbackAt: 0,
			fellBack: false,
		});
	});

	it("a right code first: nothing is sent", async () => {
		const { phone, client, smsCode } = await sentBySms();
		expect((await client.verify(phone, smsCode)).status).toBe(201);
		await setClock(phone, T0 + 60 * SECOND);
		await runAlarm(phone);
		expect(await whatsappTo(phone)).toEqual([]);
	});

	it("a starter's network at its hourly cap: the fallback is given up, once, and nothing is sent", async () => {
		const { phone, client, sid } = await sentBySms({ ...ON, OTP_FALLBACK_AFTER_SECONDS: "3600" });
		// Four resends 31 s apart: five codes this hour from IP, the cap (OTP_MAX_SENDS_PER_HOUR=5).
		for (let i = 1; i <= 4; i++) {
			await setClock(phone, T0 + i * 31 * SECOND);
			expect((await client.resend(phone)).status).toBe(200);
		}
		await undelivered(await lastSid(phone), phone);
		expect(sid).not.toBe(await lastSid(phone));
		await runAlarm(phone);
		expect(await whatsappTo(phone)).toEqual([]);
		expect(JSON.parse(String((await storedChallenge(phone))?.delivery))).toMatchObject({
			fellBack: true,
			fallbackAt: 0,
		});
	});
});

describe("fallback and requests at the same time", () => {
	it("the old code verified while the alarm falls back: one serial outcome", async () => {
		for (let round = 0; round < 3; round++) {
			const { phone, client, sid, smsCode } = await sentBySms();
			await undelivered(sid, phone);
			const [verified] = await Promise.all([client.verify(phone, smsCode), runAlarm(phone)]);
			const sent = await whatsappTo(phone);
			if (verified.status === 201) expect(sent).toEqual([]);
			else {
				expect(verified.status).toBe(400);
				expect(sent).toHaveLength(1);
				expect((await client.verify(phone, await lastWhatsAppCode(phone))).status).toBe(201);
			}
		}
	});

	it("a resend while the alarm falls back: exactly one new code goes out", async () => {
		for (let round = 0; round < 3; round++) {
			const { phone, client, sid } = await sentBySms();
			await setClock(phone, T0 + 31 * SECOND);
			await undelivered(sid, phone);
			const [resent] = await Promise.all([client.resend(phone), runAlarm(phone)]);
			await sleep(50);
			const whatsapp = await whatsappTo(phone);
			const sms = await smsTo(phone);
			if (resent.status === 200) expect([sms.length, whatsapp.length]).toEqual([2, 0]);
			else {
				expect(resent.status).toBe(429);
				expect([sms.length, whatsapp.length]).toEqual([1, 1]);
			}
			expect((await storedChallenge(phone))?.generation).toBe(2);
		}
	});

	it("another network's registration for the same phone is not touched by the starter's fallback", async () => {
		const { phone, sid } = await sentBySms();
		const other = clientOn("203.0.113.82", ON);
		expect((await other.send(phone)).status).toBe(200);
		await undelivered(sid, phone);
		await runAlarm(phone);
		expect(await whatsappTo(phone)).toHaveLength(1);
		expect(await storedMarks(phone, "send", "register", "203.0.113.82")).toEqual([T0]);
		expect(await statusOf(other, phone)).toMatchObject({ channel: "sms", deliveries: { sms: "queued" } });
	});
});
