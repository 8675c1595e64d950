import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config";
import { signature, signedHeaders } from "../../src/events/signature";
import { createFakeEventReceiver, FAKE_EVENTS_SECRET } from "../support/fake-event-receiver";

// The test vector of the Standard Webhooks reference libraries (javascript, python, go: "sign function works").
const SPEC = {
	secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
	msgId: "msg_p5jXN8AQM9LWM0D4loKWxJek",
	timestamp: 1614265330,
	payload: '{"test": 2432232314}',
	expected: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

/** The key as the Worker reads it: from EVENTS_WEBHOOK_SECRET, through the config. */
const keyOf = (secret: string) =>
	parseConfig({ ENVIRONMENT: "test", EVENTS_WEBHOOK_URL: "https://hooks.example.com/", EVENTS_WEBHOOK_SECRET: secret })
		.events?.key as Uint8Array;

describe("Standard Webhooks signatures", () => {
	it("match the spec's published example", async () => {
		expect(await signature(keyOf(SPEC.secret), SPEC.msgId, SPEC.timestamp, SPEC.payload)).toBe(SPEC.expected);
	});

	it("change with the id, the timestamp, the body and the key", async () => {
		const key = keyOf(SPEC.secret);
		const other = keyOf("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx");
		for (const sig of [
			await signature(key, "msg_p5jXN8AQM9LWM0D4loKWxJel", SPEC.timestamp, SPEC.payload),
			await signature(key, SPEC.msgId, SPEC.timestamp + 1, SPEC.payload),
			await signature(key, SPEC.msgId, SPEC.timestamp, '{"test":2432232314}'),
			await signature(other, SPEC.msgId, SPEC.timestamp, SPEC.payload),
		])
			expect(sig).not.toBe(SPEC.expected);
	});

	it("headers: the id, the attempt's time in whole seconds, and the signature over both and the body", async () => {
		const key = keyOf(SPEC.secret);
		const headers = await signedHeaders(key, SPEC.msgId, SPEC.timestamp * 1000 + 999, SPEC.payload);
		expect(headers).toEqual({
			"webhook-id": SPEC.msgId,
			"webhook-timestamp": String(SPEC.timestamp),
			"webhook-signature": SPEC.expected,
		});
	});

	it("the fake receiver accepts what the Worker signs and refuses a tampered body, an old timestamp, another key", async () => {
		const now = Date.now();
		const receiver = createFakeEventReceiver({ clock: () => now });
		const key = keyOf(FAKE_EVENTS_SECRET);
		const body = JSON.stringify({
			type: "customer.deleted",
			timestamp: new Date(now).toISOString(),
			data: { customerId: 1 },
		});
		const post = async (headers: Record<string, string>, payload = body) =>
			(await receiver.fetch(new Request("https://hooks.example.com/", { method: "POST", headers, body: payload })))
				.status;

		expect(await post({ ...(await signedHeaders(key, "msg_1", now, body)) })).toBe(204);
		expect(await post({ ...(await signedHeaders(key, "msg_2", now, body)) }, body.replace("1", "2"))).toBe(401);
		expect(await post({ ...(await signedHeaders(key, "msg_3", now - 301_000, body)) })).toBe(401);
		const stranger = keyOf("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
		expect(await post({ ...(await signedHeaders(stranger, "msg_4", now, body)) })).toBe(401);
		expect(receiver.deliveries().map((d) => d.refusal)).toEqual([
			null,
			"no matching signature",
			"timestamp outside tolerance",
			"no matching signature",
		]);
	});
});
