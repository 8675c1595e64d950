import { listDurableObjectIds } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { customerCount, registration } from "./api";
import { smsTo } from "./outbox";

/** Shared by the refusal tests: valid bodies to break, and the check that a refusal stored nothing. */

export const ENDPOINTS = ["send-otp", "verify-otp", "resend-otp"] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/** A valid body for each endpoint; each case breaks one thing. */
export function validBody(endpoint: Endpoint, phone: string): Record<string, unknown> {
	if (endpoint === "send-otp") return registration(phone);
	if (endpoint === "verify-otp") return { phone, otp: "987650" };
	return { phone };
}

export const FIELDS: Record<Endpoint, string[]> = {
	"send-otp": ["name", "email", "phone", "password"],
	"verify-otp": ["phone", "otp"],
	"resend-otp": ["phone"],
};

export const url = (endpoint: Endpoint) => `http://localhost/api/customers/${endpoint}`;

export interface Expected {
	status: number;
	code: string;
	/** The field named in the error; `undefined` means the body must have no `field`. */
	field?: string;
}

/** Strings from the request that an error must never echo: the password and the code. */
function secretsIn(body: unknown): string[] {
	if (typeof body !== "object" || body === null) return [];
	const { password, otp } = body as Record<string, unknown>;
	return [password, otp].filter((v): v is string => typeof v === "string" && v.trim().length >= 5);
}

/** What D1 and the Durable Objects hold, to compare before and after a refused request. */
export async function snapshot() {
	return {
		customers: await customerCount(),
		objects: (await listDurableObjectIds(env.PHONE_CHALLENGE)).length,
	};
}

/** Sends `init` and checks the error shape, then that nothing was stored or texted. */
export async function expectRefused(
	target: string,
	init: RequestInit,
	expected: Expected,
	phone?: string,
): Promise<Record<string, unknown>> {
	const before = await snapshot();
	const res = await exports.default.fetch(target, init);
	const text = await res.text();
	expect(res.status, text).toBe(expected.status);
	expect(res.headers.get("content-type")).toMatch(/^application\/json/);
	const body = JSON.parse(text) as Record<string, unknown>;
	expect(body).toMatchObject({ success: false, message: expect.any(String), code: expected.code });
	expect(String(body.message).length).toBeGreaterThan(0);
	expect(body.field).toBe(expected.field);
	for (const secret of secretsIn(parseOrNull(init.body))) expect(text).not.toContain(secret);

	expect(await snapshot()).toEqual(before);
	if (phone) expect(await smsTo(phone)).toEqual([]);
	return body;
}

function parseOrNull(body: unknown): unknown {
	try {
		return typeof body === "string" ? JSON.parse(body) : null;
	} catch {
		return null;
	}
}
