import type { Config } from "../config/config";
import type { Customer } from "../db/schema";
import type { RequestLogFields } from "./request-log";

/** Who an access token proved the caller to be; set by `requireAuth`. */
export interface Auth {
	customer: Customer;
	sessionId: string;
}

/** The Hono environment every router shares. */
export interface AppEnv {
	Bindings: Env;
	Variables: {
		config: Config;
		/** The request's time (ms since the epoch): one clock reading for every rule it meets. */
		now: number;
		auth: Auth;
		/** Set by `requestLog`; answered as `X-Request-Id`. */
		requestId: string;
		/** What this request's log line will say; see `logPhone`. */
		log: RequestLogFields;
		/** True once the request carried a Turnstile token siteverify accepted (`requireTurnstile`, `requireHuman`). */
		human?: boolean;
		/**
		 * Set by the site route on a page that renders the Turnstile widget: the
		 * origin of its script, which that page's CSP admits for scripts and frames.
		 */
		challengeOrigin?: string;
	};
}
