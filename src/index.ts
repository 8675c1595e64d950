import { createApp } from "./app";

export { PrefixGuard } from "./budget/prefix-guard";
export { SmsBudget } from "./budget/sms-budget";
export { PhoneChallenge } from "./challenge/phone-challenge";
export { LoginThrottle } from "./throttle/login-throttle";

export default createApp() satisfies ExportedHandler<Env>;
