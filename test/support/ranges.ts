import { phoneOf } from "../../src/phone/parse";
import { clientOn } from "./registration";

/** The shipped room of the range guard (wrangler.toml); the suite's bindings set it out of the way. */
export const SHIPPED_ROOM = { SMS_RANGE_UNVERIFIED: "10", SMS_BLOCK_UNVERIFIED: "3", SMS_RANGE_UNVERIFIED_MAX: "100" };

/**
 * Valid NANP numbers for one test file: `nanp(area)` in an exchange of its own, or in `exchange`.
 * The fake Twilio's inbox is shared by every file: `lastDigits` gives a file a thousand last
 * digits of its own (7000: 7000–7999); without it, any of 0000–9999.
 */
export function nanpNumbers(lastDigits?: number, exchangeStep = 1) {
	let seq = 0;
	return (area: string, exchange?: string): string => {
		for (;;) {
			seq++;
			const x = exchange ?? String(200 + ((seq * exchangeStep) % 700));
			const last = lastDigits === undefined ? String(seq % 10_000).padStart(4, "0") : String(lastDigits + (seq % 1000));
			const phone = `+1${area}${x}${last}`;
			if (phoneOf(phone).valid) return phone;
		}
	};
}

/** Clients each on a network of its own (203.0.113.x), as a botnet's requests are, with `vars` bound. */
export function strangers(vars: Record<string, string> = {}) {
	let host = 0;
	return (more: Record<string, string> = {}) => clientOn(`203.0.113.${(++host % 250) + 1}`, { ...vars, ...more });
}
