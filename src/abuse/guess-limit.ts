import type { Context } from "hono";
import { ApiError } from "../errors/errors";
import type { AppEnv } from "../platform/app-env";
import { type Reservation, takeQuotas } from "./budget";
import { clientNetwork } from "./client-network";

const DAY_MS = 86_400_000;
const NOTHING: Reservation = { release: async () => {} };

/**
 * Takes one from the client network's daily allowance of wrong codes across
 * every phone (verify-otp and password-reset/verify), before the code is
 * checked: this is what stops a guesser who hops between phones. The caller
 * releases it unless a wrong code was counted. RATE_LIMITED when spent.
 */
export async function takeGuess(c: Context<AppEnv>): Promise<Reservation> {
	const { environment, networkMaxFailedPerDay } = c.get("config");
	const network = clientNetwork(c.req.raw, environment === "production");
	if (!network) return NOTHING;
	const taken = await takeQuotas(c.env, [
		{ scope: `guess-day:${network}`, limit: networkMaxFailedPerDay, windowMs: DAY_MS },
	]);
	if ("refused" in taken)
		throw new ApiError("RATE_LIMITED", "Too many incorrect codes from your network today; try again later", {
			retryAfter: taken.retryAfter,
		});
	return taken;
}
