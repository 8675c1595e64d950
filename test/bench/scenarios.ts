import type { WranglerDev } from "../support/wrangler-dev.ts";
import { type Client, newPhone, PASSWORD, type Tokens } from "./client.ts";
import { CONCURRENCY, pool, type Result, type Sample, sample, summarize } from "./measure.ts";

/** Wrong codes per pending registration: with OTP_MAX_ATTEMPTS=10 every guess stays a 400 OTP_INVALID. */
const GUESSES_PER_PHONE = 9;

/** One scenario: `count` calls of `request(i)`; `warm` ones get 20 unmeasured calls first. */
interface Step {
	name: string;
	count: number;
	request: (i: number) => Promise<unknown>;
	warm?: boolean;
}

/**
 * Every scenario of `npm run bench` against one instance, baselines first:
 * `requests` calls each, `hashing` for those that hash a password, in
 * `rounds` interleaved rounds.
 */
export async function scenarios(
	dev: WranglerDev,
	api: Client,
	{ requests, hashing, rounds }: { requests: number; hashing: number; rounds: number },
): Promise<Result[]> {
	const get = (path: string) => () => api.call("GET", path, undefined, 200);
	await api.call("POST", "/bench/setup", undefined, 200);
	// Pending registrations to guess at, made before anything else: do-new and
	// send-otp leave objects behind that tax every later request, and neither side
	// of target (a) should pay for them.
	const phones = Array.from({ length: Math.ceil(requests / GUESSES_PER_PHONE) + 1 }, () => newPhone("202"));
	await pool(phones.length, (i) => api.sendOtp(phones[i] as string));
	const warmPhone = phones.pop() as string;
	const guess = (phone: string, nth: number) => {
		const otp = String((Number(api.latestCode(phone)) + 1 + nth) % 1_000_000).padStart(6, "0");
		return api.call("POST", "/api/customers/verify-otp", { phone, otp }, 400);
	};
	// A phone at its hourly cap (OTP_MAX_SENDS_PER_HOUR=5, no cooldown here): every
	// further send-otp (the starter's, with its registrationId) is refused, which
	// must cost far less than the password hash.
	const cappedPhone = newPhone("204");
	let capped = (await api.sendOtp(cappedPhone)) as { registrationId: string };
	for (let i = 1; i < 5; i++) capped = (await api.sendOtp(cappedPhone, 200, capped.registrationId)) as typeof capped;
	// Warm-up: every path once; this customer is the row d1-read finds.
	const { customerId } = await api.register("207");
	await guess(warmPhone, 0);
	// Customers to sign in, read /me and refresh with. Requests for one customer
	// run one after another: two refreshes with one token are a reuse by design,
	// and parallel sign-ins to one account are counted as in-flight failures.
	const sessions: Tokens[] = [];
	await pool(CONCURRENCY, async () => sessions.push(await api.register("205")));
	const chains = sessions.map(() => Promise.resolve());
	const inTurn = (i: number, task: (session: Tokens) => Promise<void>) => {
		const k = i % sessions.length;
		const next = (chains[k] as Promise<void>).then(() => task(sessions[k] as Tokens));
		chains[k] = next;
		return next;
	};
	const refresh = (i: number) =>
		inTurn(i, async (session) => {
			const body = { refreshToken: session.refreshToken };
			const tokens = (await api.call("POST", "/api/customers/refresh", body, 200)) as Tokens;
			session.refreshToken = tokens.refreshToken;
		});
	const signIn = (i: number) =>
		inTurn(i, async (session) => {
			await api.login(session.email, PASSWORD, 200);
		});
	// An account locked by failed sign-ins: every further attempt is refused before any hash.
	const locked = await api.register("206");
	for (let i = 0; i < 5; i++) await api.login(locked.email, "wrong password", 401);
	const light = (name: string, path: string): Step => ({ name, count: requests, request: get(path), warm: true });
	const plan: Step[] = [
		light("json", "/bench/json"),
		light("do-existing", "/bench/do-existing"),
		{
			name: "wrong guess",
			count: requests,
			// Round-robin, so concurrent guesses reach different objects.
			request: (i) => guess(phones[i % phones.length] as string, Math.floor(i / phones.length)),
		},
		light("d1-read", `/bench/d1-read?id=${customerId}`),
		light("d1-insert", "/bench/d1-insert"),
		light("do-new", "/bench/do-new"),
		light("do-new + d1-read", `/bench/do-new-d1-read?id=${customerId}`),
		{ name: "hash", count: hashing, request: get("/bench/hash") },
		{ name: "send-otp", count: hashing, request: () => api.sendOtp(newPhone("201")) },
		{
			name: "send-otp refused (hourly cap)",
			count: requests,
			request: () => api.sendOtp(cappedPhone, 429, capped.registrationId),
		},
		{ name: "full registration", count: hashing, request: () => api.register("203") },
		{ name: "login", count: hashing, request: signIn },
		{ name: "login refused (account locked)", count: requests, request: () => api.login(locked.email, "x", 429) },
		{
			name: "me",
			count: requests,
			request: (i) =>
				api.call("GET", "/api/customers/me", undefined, 200, (sessions[i % sessions.length] as Tokens).accessToken),
		},
		{ name: "refresh", count: requests, request: refresh },
	];
	for (const step of plan) if (step.warm) for (let i = 0; i < 20; i++) await step.request(i);

	// Interleaved rounds: a busy moment of the machine lands on every scenario alike, not on one.
	const samples = plan.map((): Sample[] => []);
	for (let round = 0; round < rounds; round++) {
		console.error(`   round ${round + 1} of ${rounds}`);
		for (const [k, { count, request }] of plan.entries()) {
			const from = Math.floor((round * count) / rounds);
			const until = Math.floor(((round + 1) * count) / rounds);
			if (until > from) samples[k]?.push(await sample(dev, until - from, request, from));
		}
	}
	return plan.map(({ name }, k): Result => summarize(name, samples[k] ?? []));
}
