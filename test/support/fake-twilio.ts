/**
 * A local stand-in for Twilio's Messages API that answers the way Twilio
 * does: Basic auth, form-encoded bodies, 201 with a message resource, and
 * Twilio's error JSON (`code`, `message`, `more_info`, `status`).
 *
 * Like Twilio's test credentials, magic `To` numbers choose a failure:
 * see {@link MAGIC_NUMBERS}. `POST /_fake/failures {to,status,code,count}`
 * makes the next sends to one number fail. Every accepted message lands in an inbox that
 * tests read over HTTP: `GET /_fake/messages?to=+1...`.
 *
 * With `callbacks` set, it also reports delivery as Twilio does: for a
 * message sent with a `StatusCallback`, it posts `sent` then `delivered`
 * (`undelivered` with ErrorCode 30003 for {@link MAGIC_NUMBERS.unreachable}),
 * form-encoded and signed with `X-Twilio-Signature` over the callback URL.
 *
 * Web-standard APIs only, so it runs as miniflare's `outboundService` inside
 * vitest and behind `serveFetch` for `wrangler dev`.
 */

import { randomHex } from "./random-hex.ts";

export const FAKE_ACCOUNT_SID = "AC00000000000000000000000000000001";
export const FAKE_AUTH_TOKEN = "fake-twilio-auth-token";
export const FAKE_FROM = "+15005550006";

export const MAGIC_NUMBERS = {
	/** 400, Twilio 21211: not a valid phone number. */
	invalid: "+15005550001",
	/** 400, Twilio 21614: not a mobile number. */
	notMobile: "+15005550009",
	/** 500, Twilio 20500. */
	serverError: "+15005550500",
	/** 429, Twilio 20429. */
	tooManyRequests: "+15005550429",
	/** 502 with an HTML body, as a proxy in front of Twilio would answer. */
	badGateway: "+15005550502",
	/** Never answers within any sane timeout. */
	hang: "+15005550408",
	/** Accepted, then reported `undelivered` with ErrorCode 30003 (unreachable handset). */
	unreachable: "+15005550303",
} as const;

export interface FakeMessage {
	sid: string;
	to: string;
	from: string | null;
	messagingServiceSid: string | null;
	body: string;
	dateCreated: string;
}

export interface FakeTwilioOptions {
	accountSid?: string;
	authToken?: string;
	/** How long the `hang` number stalls, in ms. */
	hangMs?: number;
	/**
	 * Deliver status callbacks. `target` maps the StatusCallback URL to where
	 * the callback is actually posted (a tunnel's public URL to the local
	 * server); the signature is computed over the StatusCallback URL, as
	 * Twilio signs the URL it was given.
	 */
	callbacks?: { target?: (url: string) => string; delayMs?: number };
}

export function createFakeTwilio(options: FakeTwilioOptions = {}) {
	const accountSid = options.accountSid ?? FAKE_ACCOUNT_SID;
	const authToken = options.authToken ?? FAKE_AUTH_TOKEN;
	const hangMs = options.hangMs ?? 5_000;
	const messages: FakeMessage[] = [];
	/** Failures armed for a number: the next sends to it answer these, in order. */
	const armed = new Map<string, { status: number; code: number }[]>();
	let requests = 0;

	async function fetch(request: Request): Promise<Response> {
		const url = new URL(request.url);
		if (url.pathname === "/_fake/messages") {
			if (request.method === "DELETE") {
				messages.length = 0;
				return Response.json({ ok: true });
			}
			const to = url.searchParams.get("to");
			return Response.json({ messages: messages.filter((m) => !to || m.to === to), requests });
		}
		if (url.pathname === "/_fake/failures" && request.method === "POST") {
			const {
				to,
				status,
				code,
				count = 1,
			} = (await request.json()) as {
				to: string;
				status: number;
				code: number;
				count?: number;
			};
			armed.set(to, [...(armed.get(to) ?? []), ...Array.from({ length: count }, () => ({ status, code }))]);
			return Response.json({ ok: true });
		}
		const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(url.pathname);
		if (!match) return twilioError(404, 20404, "The requested resource was not found");
		if (request.method !== "POST") return twilioError(405, 20004, "Method not allowed");
		requests++;

		if (!authorized(request.headers.get("authorization"), decodeURIComponent(match[1] as string))) {
			return twilioError(401, 20003, "Authenticate");
		}
		if (!(request.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) {
			return twilioError(400, 20001, "Content-Type must be application/x-www-form-urlencoded");
		}
		const form = new URLSearchParams(await request.text());
		const to = form.get("To");
		const body = form.get("Body");
		const from = form.get("From");
		const messagingServiceSid = form.get("MessagingServiceSid");
		if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
		if (!body) return twilioError(400, 21602, "Message body is required.");
		if (!from && !messagingServiceSid) return twilioError(400, 21603, "The 'From' phone number is required.");

		const failure = armed.get(to)?.shift();
		if (failure) return twilioError(failure.status, failure.code, "Armed failure");

		switch (to) {
			case MAGIC_NUMBERS.invalid:
				return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
			case MAGIC_NUMBERS.notMobile:
				return twilioError(400, 21614, `'To' number ${to} is not a valid mobile number`);
			case MAGIC_NUMBERS.serverError:
				return twilioError(500, 20500, "An internal server error has occurred");
			case MAGIC_NUMBERS.tooManyRequests:
				return twilioError(429, 20429, "Too Many Requests");
			case MAGIC_NUMBERS.badGateway:
				return new Response("<html><body>502 Bad Gateway</body></html>", {
					status: 502,
					headers: { "content-type": "text/html" },
				});
			case MAGIC_NUMBERS.hang:
				await new Promise((resolve) => setTimeout(resolve, hangMs));
				return twilioError(504, 20504, "Gateway timeout");
		}
		if (!/^\+[1-9]\d{7,14}$/.test(to)) {
			return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
		}

		const message: FakeMessage = {
			sid: `SM${randomHex(32)}`,
			to,
			from,
			messagingServiceSid,
			body,
			dateCreated: new Date().toUTCString(),
		};
		messages.push(message);
		const statusCallback = form.get("StatusCallback");
		if (statusCallback && options.callbacks) void report(message, statusCallback, options.callbacks);
		return Response.json(
			{
				account_sid: accountSid,
				api_version: "2010-04-01",
				body,
				date_created: message.dateCreated,
				date_sent: null,
				date_updated: message.dateCreated,
				direction: "outbound-api",
				error_code: null,
				error_message: null,
				from,
				messaging_service_sid: messagingServiceSid,
				num_media: "0",
				num_segments: "1",
				price: null,
				price_unit: "USD",
				sid: message.sid,
				status: "queued",
				to,
				uri: `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}.json`,
			},
			{ status: 201 },
		);
	}

	function authorized(header: string | null, pathSid: string): boolean {
		if (!header?.startsWith("Basic ")) return false;
		let decoded: string;
		try {
			decoded = atob(header.slice(6));
		} catch {
			return false;
		}
		return decoded === `${accountSid}:${authToken}` && pathSid === accountSid;
	}

	/** Posts the message's later statuses to its StatusCallback, in order, each signed. */
	async function report(message: FakeMessage, url: string, callbacks: NonNullable<FakeTwilioOptions["callbacks"]>) {
		const outcome =
			message.to === MAGIC_NUMBERS.unreachable ? { status: "undelivered", code: "30003" } : { status: "delivered" };
		for (const step of [{ status: "sent" }, outcome]) {
			await new Promise((resolve) => setTimeout(resolve, callbacks.delayMs ?? 20));
			const params = new URLSearchParams({
				AccountSid: accountSid,
				ApiVersion: "2010-04-01",
				From: message.from ?? "",
				MessageSid: message.sid,
				MessageStatus: step.status,
				SmsSid: message.sid,
				SmsStatus: step.status,
				To: message.to,
			});
			if ("code" in step && step.code) params.set("ErrorCode", step.code);
			const signature = await sign(authToken, url, params);
			await globalThis
				.fetch(callbacks.target?.(url) ?? url, {
					method: "POST",
					headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
					body: params.toString(),
				})
				.catch(() => undefined);
		}
	}

	return { fetch, messages };
}

/** Twilio's request signature: HMAC-SHA1 over the URL and the sorted parameters, base64. */
async function sign(authToken: string, url: string, params: URLSearchParams): Promise<string> {
	const encoder = new TextEncoder();
	const key = await crypto.subtle.importKey("raw", encoder.encode(authToken), { name: "HMAC", hash: "SHA-1" }, false, [
		"sign",
	]);
	const data = [...params.keys()].sort().reduce((acc, name) => acc + name + params.get(name), url);
	const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(data));
	return btoa(String.fromCharCode(...new Uint8Array(mac)));
}

export type FakeTwilio = ReturnType<typeof createFakeTwilio>;

function twilioError(status: number, code: number, message: string): Response {
	return Response.json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, { status });
}

/** The 6-digit code in a message body, as a person reading the SMS would find it. */
export function codeIn(body: string): string {
	const match = /\b(\d{6})\b/.exec(body);
	if (!match) throw new Error(`no code in SMS: ${body}`);
	return match[1] as string;
}
