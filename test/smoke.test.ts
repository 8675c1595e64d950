import { describe, expect, it } from "vitest";
import { post, registration, uniquePhone } from "./support/api";
import { lastCode } from "./support/outbox";

describe("smoke", () => {
	it("registers a customer", async () => {
		const phone = uniquePhone();
		const sent = await post("/api/customers/send-otp", registration(phone));
		expect(sent.status).toBe(200);
		const code = await lastCode(phone);
		const verified = await post("/api/customers/verify-otp", { phone, otp: code });
		expect(verified.status).toBe(201);
		expect(await verified.json()).toMatchObject({ success: true, customerId: expect.any(Number) });
	});
});
