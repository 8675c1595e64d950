import type { Channel } from "../config/config";
import type { Locale } from "../config/messages-env";

/**
 * - `none`: nothing pending (never sent, purged, or a send that failed).
 * - `pending`: a live code awaits verification.
 * - `burned`: the code took its last wrong guess; a resend can issue a new one.
 * - `expired`, `consumed`: tombstones without any personal data, kept for a
 *   while so verify can answer precisely, then purged.
 */
export type Status = "none" | "pending" | "burned" | "expired" | "consumed";

/** Which flow a code belongs to; each has its own state in a phone's object. */
export type Purpose = "register" | "reset";

export type { Channel };

/** What a registration code proves: the details of the customer to create. */
export interface Registration {
	name: string;
	email: string;
	phone: string;
	passwordHash: string;
}

/**
 * What a password-reset code proves: control of a registered customer's
 * phone. `customerId` is null for a decoy: a reset asked for a number no
 * customer has, held exactly like a real one (but never texted and never
 * matched), so neither endpoint tells whether a number is registered.
 */
export interface ResetRequest {
	customerId: number | null;
	phone: string;
}

/** What each purpose's code proves once it is right. */
export interface Subjects {
	register: Registration;
	reset: ResetRequest;
}

export interface ChallengeState<S = unknown> {
	/** The registration's id (what the client sends as `registrationId`), or `reset`. */
	id: string;
	/** The client network that started it. */
	network: string;
	status: Status;
	/** Present exactly when status is `pending` or `burned`. */
	subject: S | null;
	codeMac: Uint8Array | null;
	attempts: number;
	/** Bumped by every issued code; lets a failed send roll back only its own code. */
	generation: number;
	expiresAt: number;
	lastSentAt: number;
	/** Ties every send of one registration (or reset) together in the messages table; resends keep it. */
	challengeId: string | null;
	/** How the live code was sent. */
	channel: Channel | null;
	/** The provider's id of the latest send, once it answered. */
	messageId: string | null;
	/** The provider's latest status of that send (delivery/status.ts), null until it answered. */
	deliveryStatus: string | null;
	/** The latest provider status per channel tried for this registration (or reset), so the next one can be offered. */
	deliveries: Partial<Record<Channel, string>>;
	/** The person's language (BCP 47), chosen at send-otp; resends and the fallback keep it. */
	locale: Locale | null;
	/** When the phone's alarm sends the code by the next channel (OTP_AUTO_FALLBACK); 0: not armed. */
	fallbackAt: number;
	/** The automatic fallback happened (or was given up): at most once per registration. */
	fellBack: boolean;
}

export const EMPTY: ChallengeState<never> = {
	id: "",
	network: "",
	status: "none",
	subject: null,
	codeMac: null,
	attempts: 0,
	generation: 0,
	expiresAt: 0,
	lastSentAt: 0,
	challengeId: null,
	channel: null,
	messageId: null,
	deliveryStatus: null,
	deliveries: {},
	locale: null,
	fallbackAt: 0,
	fellBack: false,
};

export const holdsCode = (s: ChallengeState) => s.status === "pending" || s.status === "burned";

export const isTombstone = (s: ChallengeState) => s.status === "expired" || s.status === "consumed";
