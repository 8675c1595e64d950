/**
 * A local receiver of Standard Webhooks events, checking them as a careful
 * receiver does: the three `webhook-*` headers, a timestamp within five
 * minutes, and one `v1,` signature in the (space-separated) list matching
 * HMAC-SHA256 over `id.timestamp.body` with the `whsec_` key, compared in
 * constant time. A delivery that fails a check gets 401; the others 204, or
 * the answer programmed with `failNext`.
 *
 * Written from the spec, not from src/events: a test that compares the
 * Worker's signature with its own code could not fail.
 *
 * Web-standard APIs only, so it runs inside workerd (behind a stubbed fetch)
 * and behind `serveFetch` for `wrangler dev`.
 */

/** The spec's own test key (the reference libraries' `sign` test): 24 bytes. */
export const FAKE_EVENTS_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

export interface ReceivedEvent {
	type: string;
	timestamp: string;
	data: Record<string, unknown>;
}

export interface Delivery {
	id: string | null;
	timestamp: string | null;
	/** Why the checks refused it; null when it was verified. */
	refusal: string | null;
	status: number;
	/** The raw body, exactly as posted. */
	body: string;
	event: ReceivedEvent | null;
}

/** What the next deliveries get instead of 204: a status (and headers), a dropped connection, or no answer. */
export type Answer = { status: number; headers?: Record<string, string> } | "network-error" | "hang";

export interface FakeEventReceiverOptions {
	secret?: string;
	/** @default 300 */
	toleranceSeconds?: number;
	/** @default Date.now */
	clock?: () => number;
}

export function createFakeEventReceiver({
	secret = FAKE_EVENTS_SECRET,
	toleranceSeconds = 300,
	clock = Date.now,
}: FakeEventReceiverOptions = {}) {
	const deliveries: Delivery[] = [];
	const answers: Answer[] = [];
	const key = crypto.subtle.importKey(
		"raw",
		Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (ch) => ch.charCodeAt(0)),
		{ name: "HMAC", hash: "SHA-256" },
		false,
		["sign"],
	);

	async function refusalOf(id: string | null, timestamp: string | null, header: string | null, body: string) {
		if (!id || !timestamp || !header) return "missing webhook headers";
		if (!/^\d+$/.test(timestamp)) return "timestamp is not whole seconds";
		if (Math.abs(clock() / 1000 - Number(timestamp)) > toleranceSeconds) return "timestamp outside tolerance";
		const mac = await crypto.subtle.sign("HMAC", await key, new TextEncoder().encode(`${id}.${timestamp}.${body}`));
		const expected = btoa(String.fromCharCode(...new Uint8Array(mac)));
		const matches = header
			.split(" ")
			.filter((s) => s.startsWith("v1,"))
			.some((s) => constantTimeEqual(s.slice(3), expected));
		return matches ? null : "no matching signature";
	}

	async function fetch(request: Request): Promise<Response> {
		if (request.method !== "POST") return new Response("method not allowed", { status: 405 });
		const body = await request.text();
		const id = request.headers.get("webhook-id");
		const timestamp = request.headers.get("webhook-timestamp");
		const refusal = await refusalOf(id, timestamp, request.headers.get("webhook-signature"), body);
		const answer: Answer = refusal ? { status: 401 } : (answers.shift() ?? { status: 204 });
		const status = typeof answer === "string" ? 0 : answer.status;
		const event = refusal ? null : (JSON.parse(body) as ReceivedEvent);
		deliveries.push({ id, timestamp, refusal, status, body, event });
		if (answer === "network-error") throw new TypeError("Network connection lost.");
		if (answer === "hang") return hang(request.signal);
		return new Response(null, { status: answer.status, headers: answer.headers });
	}

	return {
		fetch,
		/** Every delivery attempt, in order, verified or not. */
		deliveries: () => [...deliveries],
		/** The verified events, in order. */
		events: () => deliveries.flatMap((d) => (d.event ? [d.event] : [])),
		/** The next `count` verified deliveries get `answer`. */
		failNext: (answer: Answer, count = 1) => {
			for (let i = 0; i < count; i++) answers.push(answer);
		},
		reset: () => {
			deliveries.length = 0;
			answers.length = 0;
		},
	};
}

export type FakeEventReceiver = ReturnType<typeof createFakeEventReceiver>;

function hang(signal: AbortSignal): Promise<Response> {
	return new Promise((_, reject) => {
		const timer = setTimeout(() => reject(new Error("fake receiver hung past 60 s")), 60_000);
		signal.addEventListener("abort", () => {
			clearTimeout(timer);
			reject(signal.reason);
		});
	});
}

function constantTimeEqual(a: string, b: string): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
	return diff === 0;
}
