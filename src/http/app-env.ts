import type { Config } from "../config/config";

/** The Hono environment every router shares. */
export interface AppEnv {
	Bindings: Env;
	Variables: { config: Config };
}
