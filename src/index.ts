import { createApp } from "./app";

export { PhoneChallenge } from "./challenge/phone-challenge";
export { LoginThrottle } from "./throttle/login-throttle";

export default createApp() satisfies ExportedHandler<Env>;
