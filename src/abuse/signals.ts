import type { CountryCode } from "libphonenumber-js";
import type { SignalPolicy } from "../config/sms-protection";
import type { Phone } from "../phone/parse";
import { clientNetwork48 } from "./client-network";
import { HOUR_MS } from "./counter-rules";

/** Where a request comes from, as Cloudflare saw it: read once, at the edge (otp/caller.ts). */
export interface Origin {
	/** request.cf.country (ISO 3166 alpha-2, `T1` for Tor); absent when unknown (`XX`) or not behind Cloudflare. */
	country?: string;
	/** request.cf.asn: the autonomous system the client's address belongs to. */
	asn?: number;
	/** The signals' client network: an IPv4 address or an IPv6 /48; null without an address outside production. */
	network: string | null;
}

/** Why a send looks like pumping, beyond its range. One word each, as logs and refusals name them. */
export type Signal = "country_mismatch" | "network_sends" | "asn_sends";

/** The signals of one send, and how to take back what reading them counted. */
export interface SignalReading {
	signals: Signal[];
	/** Seconds until a busy network's (or system's) hour frees a send; 0 when none is busy. */
	retryAfter: number;
	/** Gives back the send the counters counted, when it does not go out after all. */
	release(): Promise<void>;
}

/** `request.cf`'s country and ASN, and the /48 network of its address. */
export function originOf(request: Request, production: boolean): Origin {
	const cf = request.cf as { country?: unknown; asn?: unknown } | undefined;
	const country =
		typeof cf?.country === "string" && /^[A-Z][A-Z0-9]$/.test(cf.country) && cf.country !== "XX"
			? cf.country
			: undefined;
	const asn = typeof cf?.asn === "number" && Number.isInteger(cf.asn) && cf.asn > 0 ? cf.asn : undefined;
	return { ...(country && { country }), ...(asn && { asn }), network: clientNetwork48(request, production) };
}

/**
 * Whether the request comes from a country the number does not belong to. A
 * number of a shared range (+44 7700 900: GB, GG, IM, JE) matches any of its
 * countries; a countryless number (+882) or an unknown origin tells nothing.
 */
export function countryMismatch(origin: Origin, phone: Phone): boolean {
	if (!origin.country || phone.countries.length === 0) return false;
	return !phone.countries.includes(origin.country as CountryCode);
}

const counter = (env: Env, scope: string) => env.COUNTERS.get(env.COUNTERS.idFromName(scope));

/**
 * Reads the signals of a send that every earlier rule let through: the
 * country mismatch (free), then the SMS of the last hour from the request's
 * client network (`net-sends:<network>`) and, when Cloudflare names it and a
 * threshold is set, from its autonomous system (`asn-sends:<asn>`). Each
 * counter counts this send unless it is over its threshold; the two are asked
 * in parallel, so the cost is one counter round trip. Keyed to the sender's
 * own network and system: a stranger's sends never make the owner's busy.
 */
export async function readSignals(
	env: Env,
	policy: SignalPolicy,
	phone: Phone,
	origin: Origin,
): Promise<SignalReading> {
	const signals: Signal[] = policy.countryMismatch && countryMismatch(origin, phone) ? ["country_mismatch"] : [];
	const quotas: [Signal, string, number][] = [];
	if (policy.networkSendsPerHour > 0 && origin.network)
		quotas.push(["network_sends", `net-sends:${origin.network}`, policy.networkSendsPerHour]);
	if (policy.asnSendsPerHour > 0 && origin.asn !== undefined)
		quotas.push(["asn_sends", `asn-sends:${origin.asn}`, policy.asnSendsPerHour]);
	const answers = await Promise.all(quotas.map(([, scope, limit]) => counter(env, scope).take(limit, HOUR_MS)));
	const taken: [string, number][] = [];
	let retryAfter = 0;
	answers.forEach((answer, i) => {
		const [signal, scope] = quotas[i] as [Signal, string, number];
		if ("at" in answer) taken.push([scope, answer.at]);
		else {
			signals.push(signal);
			retryAfter = Math.max(retryAfter, answer.retryAfter);
		}
	});
	return {
		signals,
		retryAfter,
		release: async () => void (await Promise.all(taken.map(([scope, at]) => counter(env, scope).giveBack(at)))),
	};
}
