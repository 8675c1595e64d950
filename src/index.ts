import { createApp } from "./app";

export { PhoneChallenge } from "./challenge/phone-challenge";
export { PrefixGuard } from "./protection/prefix-guard";
export { RollingCounter } from "./protection/rolling-counter";
export { LoginThrottle } from "./throttle/login-throttle";

export default createApp() satisfies ExportedHandler<Env>;
