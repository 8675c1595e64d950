import type { Config } from "../config/config";
import { type Failure, failure } from "../errors/errors";

/** Where a client puts its Turnstile token: the body field the widget fills in, or a header of the same name. */
export const TURNSTILE_FIELD = "cf-turnstile-response";

/**
 * Whether a send that looks risky (a suspect range or network, budget
 * pressure) must first be answered CAPTCHA_REQUIRED: only when Turnstile is
 * configured in mode `pressure` and this request has not already proved a
 * human with a token. In mode `always` the send gate has asked for a token
 * up front; without Turnstile there is nothing to ask for.
 */
export function challengeNeeded(config: Pick<Config, "turnstile">, caller: { human?: boolean }): boolean {
	return config.turnstile?.mode === "pressure" && caller.human !== true;
}

/** The answer that makes the pages show the widget: 403 CAPTCHA_REQUIRED, naming the token's field. */
export function captchaRequired(): Failure {
	return failure("CAPTCHA_REQUIRED", { field: TURNSTILE_FIELD });
}
