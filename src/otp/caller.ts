import type { Context } from "hono";
import { clientNetwork, UNKNOWN_NETWORK } from "../abuse/client-network";
import { originOf } from "../abuse/signals";
import type { AppEnv } from "../platform/app-env";
import type { Caller } from "./contract";

/**
 * The client network a phone's shares are keyed to (one shared key without
 * an address), the request, its origin, and whether it proved a human with Turnstile.
 */
export function callerOf(c: Context<AppEnv>): Caller {
	const production = c.get("config").environment === "production";
	return {
		network: clientNetwork(c.req.raw, production) ?? UNKNOWN_NETWORK,
		requestId: c.get("requestId"),
		human: c.get("human") === true,
		origin: originOf(c.req.raw, production),
	};
}
