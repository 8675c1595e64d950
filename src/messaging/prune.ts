import { getConfig } from "../config/config";
import { log } from "../platform/log";
import { messageRepository } from "./message-log";

/** The daily cron: forgets messages older than MESSAGE_RETENTION_DAYS (the stats look back a week at most). */
export async function pruneMessages(env: Env, now: number): Promise<void> {
	const before = now - getConfig(env).messageRetentionMs;
	await messageRepository(env.DB).prune(before);
	log("info", "messages_pruned", { before: new Date(before).toISOString() });
}
