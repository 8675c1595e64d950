import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config";
import { deliverCode } from "../../src/messaging/deliver";
import type { SendContext } from "../../src/messaging/report";
import { parsePhone } from "../../src/phone/parse";
import { uniquePhone } from "../support/api";
import { emailsTo, smsTo } from "../support/outbox";

const HOST = new URL(env.PUBLIC_BASE_URL).hostname;
const HASH = "FA+9qCX9VSu";

function context(phone: string, extra: Partial<SendContext> = {}): SendContext {
	const parsed = parsePhone(phone);
	if (!parsed) throw new Error(`not a phone: ${phone}`);
	return { purpose: "register", channel: "sms", challengeId: crypto.randomUUID(), phone: parsed, ...extra };
}

describe("deliverCode speaks the person's language", () => {
	it("texts in DEFAULT_LOCALE when the context names none, with the Android hash and the autofill line last", async () => {
		const config = parseConfig({ ...env, DEFAULT_LOCALE: "de", ANDROID_APP_HASH: HASH });
		const phone = uniquePhone("303");
		expect(await deliverCode(config, context(phone), "314159")).toMatchObject({ ok: true });
		const [message] = await smsTo(phone);
		expect(message?.body).toBe(
			`Ihr Bestätigungscode für ${env.APP_NAME}: 314159. Gültig für 5 Minuten.\n${HASH}\n@${HOST} #314159`,
		);
	});

	it("texts in the context's locale over DEFAULT_LOCALE, the short form once the autofill line names the site", async () => {
		const config = parseConfig({ ...env, DEFAULT_LOCALE: "de" });
		const phone = uniquePhone("303");
		await deliverCode(config, context(phone, { locale: "ru", purpose: "reset" }), "271828");
		const [message] = await smsTo(phone);
		expect(message?.body).toBe(`Код сброса пароля: 271828\n@${HOST} #271828`);
	});

	it("emails in the context's locale", async () => {
		const config = parseConfig({ ...env });
		const phone = uniquePhone("303");
		const address = `i18n-${crypto.randomUUID()}@example.com`;
		await deliverCode(config, context(phone, { channel: "email", email: address, locale: "ar" }), "161803");
		const [email] = await emailsTo(address);
		expect(email?.subject).toBe(`رمز التحقق من ${env.APP_NAME}`);
		expect(email?.text).toContain("161803");
		expect(email?.html).toContain('<html lang="ar" dir="rtl">');
	});
});
