import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { uniquePhone, withToken } from "../support/api";
import { lastCode, lastSid, statusCallback } from "../support/outbox";
import { sendOtp, verifyOtp } from "../support/registration";
import { PATH, TOKEN } from "../support/sms-stats";

async function stats(): Promise<Record<string, Record<string, unknown>>> {
	const res = await withToken(PATH, TOKEN);
	expect(res.status).toBe(200);
	return (await res.json()) as Record<string, Record<string, unknown>>;
}

describe("GET /api/admin/sms-stats through the Worker", () => {
	it("refuses the deployed route without the admin token", async () => {
		const none = await exports.default.fetch(`http://localhost${PATH}`);
		expect(none.status).toBe(401);
		expect(none.headers.get("www-authenticate")).toBe('Bearer realm="admin"');
		expect(await none.json()).toMatchObject({ success: false, code: "UNAUTHORIZED" });
		expect((await withToken(PATH, `${TOKEN}x`)).status).toBe(401);
	});

	it("counts a registration sent by SMS, delivered (per Twilio's signed callback) and verified", async () => {
		const empty = await stats();
		expect(empty.week).toMatchObject({ sends: 0, deliveryRate: null, verificationRate: null, byCountry: {} });

		const phone = uniquePhone("670");
		const sent = await sendOtp(phone);
		expect(sent.status).toBe(200);

		// Sent, not heard of since: pending, not verified.
		const pending = await stats();
		expect(pending.hour).toMatchObject({
			sends: 1,
			delivered: 0,
			failed: 0,
			pending: 1,
			deliveryRate: 0,
			verificationRate: 0,
		});

		const delivered = await statusCallback({
			MessageSid: await lastSid(phone),
			MessageStatus: "delivered",
			To: phone,
			AccountSid: "AC00000000000000000000000000000001",
		});
		expect(delivered.status).toBe(204);

		const verified = await verifyOtp(phone, await lastCode(phone));
		expect(verified.status).toBe(201);

		const body = await stats();
		const expected = {
			sends: 1,
			delivered: 1,
			failed: 0,
			pending: 0,
			deliveryRate: 1,
			verificationRate: 1,
			failuresByErrorCode: {},
		};
		for (const window of ["hour", "day", "week"] as const) {
			expect(body[window]).toEqual({
				since: expect.any(String),
				...expected,
				emailFallback: { sends: 0, verificationRate: null },
				whatsapp: { sends: 0, delivered: 0, failed: 0, deliveryRate: null, verificationRate: null },
				call: { sends: 0, delivered: 0, failed: 0, deliveryRate: null, verificationRate: null },
				byCountry: { "1": expected },
			});
		}
	});
});
