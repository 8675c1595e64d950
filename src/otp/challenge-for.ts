/** The Durable Object that decides everything about `phone` (E.164, normalised). */
export const challengeFor = (env: Env, phone: string) => env.PHONE_CHALLENGE.get(env.PHONE_CHALLENGE.idFromName(phone));
