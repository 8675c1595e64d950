import type { Phone } from "../phone/parse";
import { challengeFor } from "./challenge-for";

/** A provider's status for one of a phone's messages, for its object (see PhoneChallenge.delivery). */
export const deliverReceipt = (env: Env, phone: Phone, messageId: string, status: string) =>
	challengeFor(env, phone).delivery(messageId, status);
