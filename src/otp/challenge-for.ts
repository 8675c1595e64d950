import type { Phone } from "../phone/parse";

/** The Durable Object that decides everything about `phone`: one per normalised E.164 number. */
export const challengeFor = (env: Env, phone: Phone) =>
	env.PHONE_CHALLENGE.get(env.PHONE_CHALLENGE.idFromName(phone.e164));
