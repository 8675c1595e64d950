/**
 * What the API learns about the client from the request: the address
 * Cloudflare saw (`CF-Connecting-IP`, which a client cannot set through
 * Cloudflare), summarised before anything keeps it.
 */

/** The key every request without a client address shares in production. */
export const UNKNOWN_NETWORK = "unknown";

/**
 * The client network every counter a stranger can fill is keyed to. In
 * production a request without `CF-Connecting-IP` (never the case behind
 * Cloudflare) counts under one shared key, so it never skips a limit;
 * elsewhere (tests, local runs) it is null and the per-network limits that
 * span phones or accounts are skipped.
 */
export function clientNetwork(request: Request, production: boolean): string | null {
	const ip = clientIp(request);
	if (ip) return ipThrottleKey(ip);
	return production ? UNKNOWN_NETWORK : null;
}

/** The client's IP address, or null when the request did not come through Cloudflare. */
export function clientIp(request: Request): string | null {
	const ip = request.headers.get("CF-Connecting-IP")?.trim();
	return ip ? ip.slice(0, 64) : null;
}

/**
 * A client network: an IPv4 address, or the /56 of an IPv6 one (what an ISP
 * typically hands one customer, so one household cannot hop between /64s).
 */
export function ipThrottleKey(ip: string): string {
	// An IPv4 address, also when written IPv4-mapped (`::ffff:203.0.113.7`).
	if (ip.includes(".")) return ip.slice(ip.lastIndexOf(":") + 1);
	const groups = ipv6Groups(ip);
	const fourth = (Number.parseInt(groups[3] ?? "0", 16) & 0xff00).toString(16);
	return `${[...groups.slice(0, 3), fourth].join(":")}::/56`;
}

/**
 * The client network the signals' budgets are keyed to (signals.ts): an IPv4
 * address, or the /48 of an IPv6 one, what a site or a hosting customer
 * usually holds: wider than the /56 of the other limits, so a sender cannot
 * spread its sends over the /56s of one allocation. Null as clientNetwork says.
 */
export function clientNetwork48(request: Request, production: boolean): string | null {
	const ip = clientIp(request);
	if (ip) return networkKey48(ip);
	return production ? UNKNOWN_NETWORK : null;
}

/** An IPv4 address (also written IPv4-mapped), or the /48 of an IPv6 one: `2001:db8:1::/48`. */
export function networkKey48(ip: string): string {
	if (ip.includes(".")) return ip.slice(ip.lastIndexOf(":") + 1);
	return `${ipv6Groups(ip).slice(0, 3).join(":")}::/48`;
}

/** The network, not the address, with the country when known: `203.0.113.0/24 NZ`. */
export function ipSummary(request: Request): string | null {
	const ip = clientIp(request);
	if (!ip) return null;
	const network = ip.includes(".")
		? `${ip
				.slice(ip.lastIndexOf(":") + 1)
				.split(".")
				.slice(0, 3)
				.join(".")}.0/24`
		: `${ipv6Groups(ip).slice(0, 3).join(":")}::/48`;
	const country = (request.cf as { country?: string } | undefined)?.country;
	return country ? `${network} ${country}` : network;
}

/** The User-Agent header as a session keeps it: 200 characters at most. */
export function userAgent(request: Request): string | null {
	return request.headers.get("User-Agent")?.slice(0, 200) || null;
}

/** The eight groups of an IPv6 address, expanding `::`. */
function ipv6Groups(ip: string): string[] {
	const [head = "", tail] = ip.toLowerCase().split("::");
	const left = head ? head.split(":") : [];
	const right = tail ? tail.split(":") : [];
	const fill = tail === undefined ? [] : Array(Math.max(0, 8 - left.length - right.length)).fill("0");
	return [...left, ...fill, ...right].map((g) => g.replace(/^0+(?=.)/, ""));
}
