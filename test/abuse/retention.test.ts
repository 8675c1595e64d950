import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { protectionStore } from "../../src/abuse/protection-store";
import worker from "../../src/index";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2031, 5, 1, 3, 17);

const runCron = async () => {
	const ctx = createExecutionContext();
	await worker.scheduled(createScheduledController({ scheduledTime: NOW, cron: "17 3 * * *" }), env, ctx);
	await waitOnExecutionContext(ctx);
};

describe("the retention cron and the protection's tables", () => {
	it("forgets refusal counts of hours older than MESSAGE_RETENTION_DAYS, and keeps the rest", async () => {
		const row = (hour: number, reason: string) => ({ hour, reason, callingCode: "1", observed: false, count: 1 });
		const edge = Math.ceil((NOW - 30 * DAY) / HOUR) * HOUR;
		await protectionStore(env.DB).addRefusals([
			row(edge - HOUR, "old"),
			row(edge, "edge"),
			row(NOW - DAY - (NOW % HOUR), "new"),
		]);
		await runCron();
		const { results } = await env.DB.prepare("SELECT reason FROM refusals ORDER BY hour").all<{ reason: string }>();
		expect(results.map((r) => r.reason)).toEqual(["edge", "new"]);
	});
});
