import type { MiddlewareHandler } from "hono";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import type { AppEnv } from "./app-env";

/**
 * With DEFAULT_COUNTRY set, a `phone` typed in that country's national format
 * (`020 7946 0958` for GB) becomes E.164 before validation; anything with a
 * leading `+` or `00`, or that the country's numbering plan cannot read, is
 * left for the validator to judge as usual. Runs after the JSON gate parsed the body.
 */
export const nationalPhone: MiddlewareHandler<AppEnv> = async (c, next) => {
	const country = c.get("config").defaultCountry;
	if (country) {
		const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
		const phone = body?.phone;
		if (typeof phone === "string" && !/^\s*(\+|00)/.test(phone) && phone.length <= 32) {
			const parsed = parsePhoneNumberFromString(phone, country);
			if (parsed?.isValid()) c.req.bodyCache.json = Promise.resolve({ ...body, phone: parsed.number });
		}
	}
	await next();
};
