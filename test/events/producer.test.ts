import { createExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app";
import { registration, uniquePhone } from "../support/api";
import { eventsApp } from "../support/events";
import { captureLogs } from "../support/log-capture";
import { lastCode } from "../support/outbox";
import { customerRow } from "../support/sessions";

// Sending an event never slows or fails the request that caused it, and no URL means no events.

const AREA = "501";

async function registerWith(app: ReturnType<typeof eventsApp>) {
	const phone = uniquePhone(AREA);
	const sent = await app.request("/api/customers/send-otp", { body: registration(phone) });
	expect(sent.status).toBe(200);
	const { registrationId } = (await sent.json()) as { registrationId: string };
	return app.request("/api/customers/verify-otp", { body: { phone, otp: await lastCode(phone), registrationId } });
}

describe("the producer", () => {
	afterEach(() => vi.restoreAllMocks());

	it.each(["throw", "reject"] as const)(
		"a queue whose send %ss: the registration still answers 201, and the log says so",
		async (fail) => {
			const logs = captureLogs();
			const app = eventsApp({}, fail);
			const res = await registerWith(app);
			expect(res.status).toBe(201);
			const { customerId } = (await res.json()) as { customerId: number };
			expect(await customerRow(customerId)).toMatchObject({ id: customerId });
			expect(logs.events("event_not_queued")).toEqual([
				expect.objectContaining({ level: "error", type: "customer.registered", error: "queue unavailable" }),
			]);
		},
	);

	it("no EVENTS binding at all: 201, and an error in the log", async () => {
		const logs = captureLogs();
		const res = await registerWith(eventsApp({ EVENTS: undefined }));
		expect(res.status).toBe(201);
		expect(logs.events("event_not_queued")).toHaveLength(1);
	});

	it("a queue that never answers does not hold the response: the send runs after it, under waitUntil", async () => {
		let sends = 0;
		const never = {
			send: () => {
				sends++;
				return new Promise<void>(() => {});
			},
		};
		const app = eventsApp({ EVENTS: never });
		const phone = uniquePhone(AREA);
		const sent = await app.request("/api/customers/send-otp", { body: registration(phone) });
		const { registrationId } = (await sent.json()) as { registrationId: string };
		const body = JSON.stringify({ phone, otp: await lastCode(phone), registrationId });
		const init = { method: "POST", headers: { "content-type": "application/json" }, body };
		// The execution context is never waited on: the answer must come while the send is still pending.
		const res = await createApp().fetch(
			new Request("http://localhost/api/customers/verify-otp", init),
			app.bindings,
			createExecutionContext(),
		);
		expect(res.status).toBe(201);
		expect(sends).toBe(1);
	});

	it("no EVENTS_WEBHOOK_URL: no event is queued, and the queue is never touched", async () => {
		const app = eventsApp({ EVENTS_WEBHOOK_URL: "", EVENTS_WEBHOOK_SECRET: "" }, "throw");
		const logs = captureLogs();
		const res = await registerWith(app);
		expect(res.status).toBe(201);
		expect(app.sent).toEqual([]);
		expect(logs.events("event_not_queued")).toEqual([]);
	});
});
