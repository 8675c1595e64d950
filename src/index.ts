import { pruneProtection } from "./abuse/retention";
import { createApp } from "./app";
import { consumeEvents } from "./events/consumer";
import { pruneMessages } from "./messaging/prune";

export { PrefixGuard } from "./abuse/prefix-guard";
export { RollingCounter } from "./abuse/rolling-counter";
export { LoginThrottle } from "./auth/throttle/login-throttle";
export { PhoneChallenge } from "./otp/phone-challenge";

const app = createApp();

export default {
	fetch: app.fetch,
	scheduled: (controller, env, ctx) =>
		ctx.waitUntil(
			Promise.all([pruneMessages(env, controller.scheduledTime), pruneProtection(env, controller.scheduledTime)]),
		),
	queue: (batch, env) => consumeEvents(batch, env),
} satisfies ExportedHandler<Env>;
