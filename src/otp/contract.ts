import type { Origin } from "../abuse/signals";
import type { OtpPolicy } from "../config/config";
import type { Locale } from "../config/messages-env";
import type { Failure } from "../errors/errors";
import type { Delivery } from "../messaging/status";
import type { FallbackPolicy } from "./fallback";
import type { Channel, Purpose } from "./state";

// What the Worker and a phone's object exchange: their calls' arguments and answers.

/** Who is asking: the client network every share is keyed to, and the request for the logs. */
export interface Caller {
	network: string;
	requestId?: string;
	/** The request carried a Turnstile token siteverify accepted (see `challengeNeeded`). */
	human?: boolean;
	/** Where the request came from, for the send pipeline's signals; the object never reads it. */
	origin?: Origin;
	/** The language a new registration's messages take (send-otp); resends keep the registration's. */
	locale?: Locale;
}

/** What a phone's object needs of the configuration, and nothing more. */
export interface PhonePolicy {
	otp: OtpPolicy;
	otpSecret: string;
	/** TEST_PHONE_NUMBERS: a fixed code, never sent. */
	testNumbers: ReadonlyMap<string, string>;
	fallback: FallbackPolicy;
}

/** A code issued and committed, for the send pipeline: the only way a code leaves the object. */
export interface Issued {
	ok: true;
	purpose: Purpose;
	/** The registration's id, or `reset`. */
	id: string;
	generation: number;
	/** Null when nothing is to be delivered: a test number's fixed code, a decoy reset. */
	code: string | null;
	expiresAt: number;
	challengeId: string;
	channel: Channel;
	/** The registration's own address, for the email channel. */
	email?: string;
	/** The registration's language, for the message; null: the default. */
	locale: Locale | null;
	/** The object's clock when it issued the code. */
	at: number;
}

/** A right code: what it proved, taken out of the object (see giveBack). */
export interface Verified<S> {
	ok: true;
	subject: S;
	id: string;
	generation: number;
	challengeId: string | null;
	channel: Channel | null;
	at: number;
	/** Only a wrong code is counted. */
	counted?: undefined;
}

/** `counted`: a wrong code was counted (the caller keeps what it took from the network's daily share). */
export type Checked<S> = Verified<S> | (Failure & { counted?: boolean });

/** What otp-status shows of a pending registration: no code, no personal data. */
export interface PendingStatus {
	ok: true;
	status: "pending" | "locked";
	channel: Channel;
	delivery: Delivery;
	/** Each channel tried for this registration, and what its latest send became. */
	deliveries: Partial<Record<Channel, Delivery>>;
	expiresAt: number;
	attemptsRemaining: number;
	/** When resend-otp will next be accepted from the caller's network (the cooldown and the shares). */
	resendAt: number;
}
