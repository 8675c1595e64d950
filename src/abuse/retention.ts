import { getConfig } from "../config/config";
import { log } from "../platform/log";
import { protectionStore } from "./protection-store";
import { flushProtectionLog } from "./refusals";

/**
 * The daily cron: forgets refusal counts older than MESSAGE_RETENTION_DAYS
 * (the stats look back a week at most), after writing this isolate's own.
 */
export async function pruneProtection(env: Env, now: number): Promise<void> {
	const before = now - getConfig(env).messageRetentionMs;
	await flushProtectionLog(env.DB, now);
	await protectionStore(env.DB).prune(before);
	log("info", "refusals_pruned", { before: new Date(before).toISOString() });
}
