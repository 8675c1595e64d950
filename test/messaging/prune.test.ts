import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src";
import { messageRepository } from "../../src/messaging/message-log";

const DAY = 86_400_000;
const NOW = Date.UTC(2031, 5, 1);

async function ids(): Promise<string[]> {
	const { results } = await env.DB.prepare("SELECT id FROM messages ORDER BY id").all<{ id: string }>();
	return results.map((r) => r.id);
}

async function eventCount(id: string): Promise<number> {
	const row = await env.DB.prepare("SELECT count(*) AS n FROM message_events WHERE message_id = ?")
		.bind(id)
		.first<{ n: number }>();
	return row?.n ?? 0;
}

describe("the retention cron", () => {
	it("deletes messages older than MESSAGE_RETENTION_DAYS, with their events, and keeps the rest", async () => {
		const repo = messageRepository(env.DB);
		const message = (id: string, at: number) => ({
			id,
			channel: "sms" as const,
			purpose: "register" as const,
			challengeId: `c-${id}`,
			destination: "+1415***2671",
			callingCode: "1",
			status: "queued",
			at,
		});
		await repo.record(message("SM-old", NOW - 31 * DAY));
		await repo.record({ ...message("SM-old", NOW - 31 * DAY + 1000), status: "delivered" });
		await repo.record(message("SM-edge", NOW - 30 * DAY));
		await repo.record(message("SM-new", NOW - DAY));
		expect(await eventCount("SM-old")).toBe(2);

		const ctx = createExecutionContext();
		await worker.scheduled(createScheduledController({ scheduledTime: NOW, cron: "17 3 * * *" }), env, ctx);
		await waitOnExecutionContext(ctx);

		expect(await ids()).toEqual(["SM-edge", "SM-new"]);
		expect(await eventCount("SM-old")).toBe(0);
		expect(await eventCount("SM-new")).toBe(1);
	});
});
