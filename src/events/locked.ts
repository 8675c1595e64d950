import type { Context } from "hono";
import type { AppEnv } from "../platform/app-env";
import { emit } from "./emit";

/**
 * `verification.locked`, when this verify's wrong guess was the code's last:
 * the phone's object counted it and answered OTP_TOO_MANY_ATTEMPTS. A later
 * try against the burned code gets the same code uncounted, and no event.
 */
export function emitIfLocked(
	c: Context<AppEnv>,
	checked: { ok: boolean; code?: string; counted?: boolean },
	phone: { masked: string },
	purpose: "register" | "reset",
): void {
	if (!checked.ok && checked.counted && checked.code === "OTP_TOO_MANY_ATTEMPTS")
		emit(c, "verification.locked", { phone: phone.masked, purpose });
}
