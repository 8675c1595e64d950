/**
 * A local stand-in for Twilio's Messages API that answers the way Twilio
 * does: Basic auth, form-encoded bodies, 201 with a message resource, and
 * Twilio's error JSON (`code`, `message`, `more_info`, `status`).
 *
 * Like Twilio's test credentials, magic `To` numbers choose a failure:
 * see {@link MAGIC_NUMBERS}. `POST /_fake/failures {to,status,code,count}`
 * makes the next sends to one number (`whatsapp:+1…` for WhatsApp) fail. Every accepted message lands in an inbox that
 * tests read over HTTP: `GET /_fake/messages?to=+1...`.
 *
 * With `callbacks` set, it also reports delivery as Twilio does: for a
 * message sent with a `StatusCallback`, it posts `sent` then `delivered`
 * (`undelivered` with ErrorCode 30003 for {@link MAGIC_NUMBERS.unreachable}),
 * form-encoded and signed with `X-Twilio-Signature` over the callback URL.
 *
 * `POST /_fake/receipts {to,status,code}` sets what the callbacks report
 * after `sent` for the next SMS to one number: `undelivered` (with its
 * ErrorCode), or `sent` alone (a carrier that never confirms delivery).
 *
 * WhatsApp (`whatsapp:` addresses, templates) and voice calls: see
 * fake-twilio-channels.ts. `GET /_fake/calls?to=` lists the calls placed
 * (with their TwiML); `POST /_fake/whatsapp-absent {to}` makes a number one
 * WhatsApp does not know.
 *
 * Web-standard APIs only, so it runs as miniflare's `outboundService` inside
 * vitest and behind `serveFetch` for `wrangler dev`.
 */

import {
	callStatusParams,
	createdMessage,
	type FakeCall,
	type FakeMessage,
	messageStatusParams,
	NOT_ON_WHATSAPP,
	placeCall,
	type Step,
	sign,
	whatsappVerdict,
} from "./fake-twilio-channels.ts";
import { randomHex } from "./random-hex.ts";

export {
	CALL_NO_ANSWER,
	codeInTwiml,
	codeInVariables,
	type FakeCall,
	type FakeMessage,
	NOT_ON_WHATSAPP,
} from "./fake-twilio-channels.ts";

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
	const calls: FakeCall[] = [];
	const absent = new Set<string>([NOT_ON_WHATSAPP]);
	/** Failures armed for a number: the next sends to it answer these, in order. */
	const armed = new Map<string, { status: number; code: number }[]>();
	/** Receipts armed for a number: what the next SMS to it is reported as, after `sent`. */
	const receipts = new Map<string, Step[]>();
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
		if (url.pathname === "/_fake/receipts" && request.method === "POST") {
			const { to, status, code } = (await request.json()) as { to: string; status: string; code?: string };
			receipts.set(to, [...(receipts.get(to) ?? []), { status, ...(code ? { code } : {}) }]);
			return Response.json({ ok: true });
		}
		if (url.pathname === "/_fake/calls") {
			const to = url.searchParams.get("to");
			return Response.json({ calls: calls.filter((c) => !to || c.to === to) });
		}
		if (url.pathname === "/_fake/whatsapp-absent" && request.method === "POST") {
			absent.add(((await request.json()) as { to: string }).to);
			return Response.json({ ok: true });
		}
		const match = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(url.pathname);
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
		const failure = armed.get(form.get("To") ?? "")?.shift();
		if (failure) return twilioError(failure.status, failure.code, "Armed failure");
		if (match[2] === "Calls") return call(form);
		if (form.get("To")?.startsWith("whatsapp:")) return whatsapp(form);
		const to = form.get("To");
		const body = form.get("Body");
		const from = form.get("From");
		const messagingServiceSid = form.get("MessagingServiceSid");
		if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
		if (!body) return twilioError(400, 21602, "Message body is required.");
		if (!from && !messagingServiceSid) return twilioError(400, 21603, "The 'From' phone number is required.");

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
		const outcome =
			receipts.get(to)?.shift() ??
			(to === MAGIC_NUMBERS.unreachable ? { status: "undelivered", code: "30003" } : { status: "delivered" });
		const steps = outcome.status === "sent" ? [outcome] : [{ status: "sent" }, outcome];
		later(form.get("StatusCallback"), steps, (step) => messageStatusParams(message, accountSid, step));
		return createdMessage(message, accountSid);
	}

	/** A WhatsApp message: refused now, or accepted and later reported (see fake-twilio-channels.ts). */
	function whatsapp(form: URLSearchParams): Response {
		const verdict = whatsappVerdict(form, twilioError, absent);
		if (verdict.refused) return verdict.refused;
		const message: FakeMessage = {
			sid: `SM${randomHex(32)}`,
			to: form.get("To") as string,
			from: form.get("From"),
			messagingServiceSid: form.get("MessagingServiceSid"),
			body: form.get("Body") ?? "",
			contentSid: form.get("ContentSid"),
			contentVariables: form.get("ContentVariables"),
			dateCreated: new Date().toUTCString(),
		};
		messages.push(message);
		later(form.get("StatusCallback"), verdict.steps, (step) => messageStatusParams(message, accountSid, step));
		return createdMessage(message, accountSid);
	}

	function call(form: URLSearchParams): Response {
		const placed = placeCall(form, accountSid, twilioError);
		if (placed.refused) return placed.refused;
		calls.push(placed.call);
		later(form.get("StatusCallback"), placed.steps, (step) => {
			const params = callStatusParams(placed.call, accountSid, step.status);
			if (step.code) params.set("ErrorCode", step.code);
			return params;
		});
		return placed.response;
	}

	/** With callbacks on and a StatusCallback given: posts each step's parameters to it, in order, each signed. */
	function later(url: string | null, steps: Step[], params: (step: Step) => URLSearchParams): void {
		const callbacks = options.callbacks;
		if (url && callbacks) void report(url, steps, params, callbacks);
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

	async function report(
		url: string,
		steps: Step[],
		paramsOf: (step: Step) => URLSearchParams,
		callbacks: NonNullable<FakeTwilioOptions["callbacks"]>,
	) {
		for (const step of steps) {
			await new Promise((resolve) => setTimeout(resolve, callbacks.delayMs ?? 20));
			const params = paramsOf(step);
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

	return { fetch, messages, calls };
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
