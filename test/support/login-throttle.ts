import { login } from "./api";
import { setThrottleClock } from "./objects";
import { type Customer, registeredCustomer } from "./registration";

/** Customers and sign-ins as the login throttle tests need them. */

/** A customer registered at `area` whose throttle object runs on a clock set to `at`, and that object's key. */
export async function customerThrottledAt(area: string, at: number): Promise<Customer & { key: string }> {
	const c = await registeredCustomer(area);
	const key = `customer:${c.customerId}`;
	await setThrottleClock(key, at);
	return { ...c, key };
}

/** The right password from the client network `ip`. */
export const rightFrom = (ip: string, c: Customer) =>
	login({ email: c.email, password: c.password }, { "CF-Connecting-IP": ip });
