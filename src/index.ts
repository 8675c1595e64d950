import { createApp } from "./app";

export { PhoneChallenge } from "./challenge/phone-challenge";

export default createApp() satisfies ExportedHandler<Env>;
