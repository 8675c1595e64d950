import type { MiddlewareHandler } from "hono";
import { parsePhone } from "../phone/parse";
import type { AppEnv } from "./app-env";

/**
 * With DEFAULT_COUNTRY set, a `phone` typed in that country's national format
 * (`020 7946 0958` for GB) becomes E.164 before validation when it passes
 * PHONE_VALIDATION there; anything with a leading `+` or `00`, or that the
 * country's plan cannot read, is left for the validator to judge as usual.
 * Runs after the JSON gate parsed the body. The parse is remembered, so the
 * validator reads the E.164 without parsing again.
 */
export const nationalPhone: MiddlewareHandler<AppEnv> = async (c, next) => {
	const { defaultCountry: country, phoneValidation } = c.get("config");
	if (country) {
		const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
		const phone = body?.phone;
		if (typeof phone === "string" && !/^\s*(\+|00)/.test(phone) && phone.length <= 32) {
			const parsed = parsePhone(phone, country);
			if (parsed && (phoneValidation === "possible" ? parsed.possible : parsed.valid))
				c.req.bodyCache.json = Promise.resolve({ ...body, phone: parsed.e164 });
		}
	}
	await next();
};
