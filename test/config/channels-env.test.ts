import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config";
import { configErrorMessage, development, production } from "../support/config-fixtures";

const SID_EN = `HX${"a".repeat(32)}`;
const SID_PT = `HX${"b".repeat(32)}`;
const WHATSAPP = { OTP_CHANNELS: "sms,whatsapp", TWILIO_WHATSAPP_FROM: "whatsapp:+14155238886" };

describe("channels configuration", () => {
	it("defaults: sms, plus email while EMAIL_FALLBACK_ENABLED; order sms,whatsapp,call; fallback off after 30 s", () => {
		const on = parseConfig(development({ EMAIL_FALLBACK_ENABLED: "true" })).channels;
		expect([...on.enabled]).toEqual(["sms", "email"]);
		expect(on).toMatchObject({ order: ["sms"], callCountries: [], autoFallback: false, fallbackAfterMs: 30_000 });
		expect([...parseConfig(development({ EMAIL_FALLBACK_ENABLED: "false" })).channels.enabled]).toEqual(["sms"]);
	});

	it("OTP_CHANNELS and OTP_CHANNEL_ORDER: the order keeps the enabled phone channels only", () => {
		const channels = parseConfig(
			development({
				OTP_CHANNELS: " SMS, call ,whatsapp",
				OTP_CHANNEL_ORDER: "call,whatsapp,sms",
				OTP_CALL_COUNTRIES: "us,+44",
			}),
		).channels;
		expect([...channels.enabled]).toEqual(["sms", "call", "whatsapp"]);
		expect(channels.order).toEqual(["call", "whatsapp", "sms"]);
		expect(channels.callCountries).toEqual(["US", "44"]);
		expect(parseConfig(development({ OTP_CHANNELS: "sms", OTP_CHANNEL_ORDER: "call,sms" })).channels.order).toEqual([
			"sms",
		]);
	});

	it.each([
		["OTP_CHANNELS", { OTP_CHANNELS: "sms,pigeon" }],
		["OTP_CHANNEL_ORDER", { OTP_CHANNEL_ORDER: "sms,email" }],
		["OTP_AUTO_FALLBACK", { OTP_AUTO_FALLBACK: "yes" }],
		["OTP_FALLBACK_AFTER_SECONDS", { OTP_FALLBACK_AFTER_SECONDS: "1" }],
		["OTP_CALL_COUNTRIES", { OTP_CALL_COUNTRIES: "USA" }],
		["TWILIO_WHATSAPP_FROM", { TWILIO_WHATSAPP_FROM: "+14155238886" }],
		["TWILIO_WHATSAPP_CONTENT_SID", { TWILIO_WHATSAPP_CONTENT_SID: "HXnot-a-sid" }],
		["TWILIO_WHATSAPP_CONTENT_SID", { TWILIO_WHATSAPP_CONTENT_SID: `pt:${SID_PT}` }],
		["TWILIO_WHATSAPP_CONTENT_SID", { TWILIO_WHATSAPP_CONTENT_SID: `en:${SID_EN},xx:${SID_PT}` }],
		["TWILIO_VOICE_FROM", { TWILIO_VOICE_FROM: "whatsapp:+14155238886" }],
		["OTP_CHANNELS", { OTP_CHANNELS: "sms,email", EMAIL_FALLBACK_ENABLED: "false" }],
	])("refuses a bad %s, naming it and never quoting the value", (name, vars) => {
		const message = configErrorMessage(development(vars));
		expect(message).toContain(name);
		for (const value of Object.values(vars)) if (value.length > 5) expect(message).not.toContain(value);
	});

	it("reads a content sid per language; the en entry (or a bare sid) is the default", () => {
		const env = production({ ...WHATSAPP, TWILIO_WHATSAPP_CONTENT_SID: `en:${SID_EN}, pt:${SID_PT}` });
		const config = parseConfig(env);
		expect(config.sms).toMatchObject({ kind: "twilio" });
		const sids = config.sms.kind === "twilio" ? config.sms.twilio.channels.whatsappContentSids : undefined;
		expect(Object.fromEntries(sids ?? [])).toEqual({ en: SID_EN, pt: SID_PT });
	});

	describe("production", () => {
		it("refuses whatsapp enabled without its sender or template", () => {
			const message = configErrorMessage(production({ OTP_CHANNELS: "sms,whatsapp" }));
			expect(message).toContain("TWILIO_WHATSAPP_FROM");
			expect(message).toContain("TWILIO_WHATSAPP_CONTENT_SID");
			expect(() => parseConfig(production({ ...WHATSAPP, TWILIO_WHATSAPP_CONTENT_SID: SID_EN }))).not.toThrow();
		});

		it("refuses call enabled without a caller id (a Messaging Service is no caller id)", () => {
			const env = production({
				OTP_CHANNELS: "sms,call",
				TWILIO_PHONE_NUMBER: "",
				TWILIO_MESSAGING_SERVICE_SID: "MG1",
			});
			expect(configErrorMessage(env)).toContain("TWILIO_VOICE_FROM");
			const config = parseConfig({ ...env, TWILIO_VOICE_FROM: "+14155550100" });
			expect(config.sms).toMatchObject({ twilio: { channels: { voiceFrom: "+14155550100" } } });
		});

		it("refuses OTP_AUTO_FALLBACK=on without PUBLIC_BASE_URL (no receipts: every send would fall back)", () => {
			expect(configErrorMessage(production({ OTP_AUTO_FALLBACK: "on" }))).toContain("OTP_AUTO_FALLBACK");
			const config = parseConfig(
				production({ OTP_AUTO_FALLBACK: "on", PUBLIC_BASE_URL: "https://verify.example.com" }),
			);
			expect(config.channels.autoFallback).toBe(true);
		});
	});
});
