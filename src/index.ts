import { createApp } from "./app";
import { pruneMessages } from "./delivery/prune";

export { PhoneChallenge } from "./challenge/phone-challenge";
export { PrefixGuard } from "./protection/prefix-guard";
export { RollingCounter } from "./protection/rolling-counter";
export { LoginThrottle } from "./throttle/login-throttle";

const app = createApp();

export default {
	fetch: app.fetch,
	scheduled: (controller, env, ctx) => ctx.waitUntil(pruneMessages(env, controller.scheduledTime)),
} satisfies ExportedHandler<Env>;
