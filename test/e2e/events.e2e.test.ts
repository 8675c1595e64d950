import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeEventReceiver, FAKE_EVENTS_SECRET } from "../support/fake-event-receiver.ts";
import { codeIn } from "../support/fake-twilio.ts";
import { serveFetch } from "../support/serve.ts";
import { postCustomers, type Stack, startStack } from "../support/stack.ts";
import { eventually } from "../support/wait.ts";

/**
 * Events over real HTTP: `wrangler dev` with its local EVENTS queue (producer
 * and consumer in the one Worker), posting to a receiver served on loopback
 * that checks every signature as a careful receiver would.
 */

const PHONE = "+14155550142";
const PASSWORD = "correct horse battery";

const receiver = createFakeEventReceiver();
let served: Awaited<ReturnType<typeof serveFetch>> | undefined;
let stack: Stack | undefined;

beforeAll(async () => {
	served = await serveFetch(receiver.fetch);
	stack = await startStack({
		EVENTS_WEBHOOK_URL: `${served.url}/hooks/edge-verify`,
		EVENTS_WEBHOOK_SECRET: FAKE_EVENTS_SECRET,
	});
});

afterAll(async () => {
	await Promise.all([stack?.stop(), served?.close()]);
});

const post = (path: string, body: unknown) => postCustomers(stack?.dev, path, body);

describe("events over wrangler dev", () => {
	it("a registration produces a signed customer.registered at the receiver", async () => {
		const sent = await post("send-otp", {
			name: "Ada",
			email: "ada.events@example.com",
			phone: PHONE,
			password: PASSWORD,
		});
		expect(sent.status).toBe(200);
		const { registrationId } = (await sent.json()) as { registrationId: string };
		const sms = await eventually(async () => (await stack?.sms(PHONE))?.at(-1), { what: "the SMS" });
		const verified = await post("verify-otp", { phone: PHONE, otp: codeIn(sms.body), registrationId });
		expect(verified.status).toBe(201);
		const { customerId } = (await verified.json()) as { customerId: number };

		const delivery = await eventually(() => receiver.deliveries().at(0), {
			what: "a delivery at the receiver",
			timeoutMs: 20_000,
		});
		expect(delivery.refusal).toBeNull();
		expect(delivery.status).toBe(204);
		expect(delivery.id).toMatch(/^msg_[0-9a-f]{32}$/);
		expect(Math.abs(Number(delivery.timestamp) - Date.now() / 1000)).toBeLessThan(60);
		expect(delivery.event).toEqual({
			type: "customer.registered",
			timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
			data: { customerId, phone: "+1415***0142", channel: "sms" },
		});
		expect(delivery.body).not.toContain(PASSWORD);
		expect(delivery.body).not.toContain(PHONE);
		expect(receiver.deliveries()).toHaveLength(1);
	});
});
