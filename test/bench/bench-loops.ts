import type { Context } from "hono";
import { SendOtpBody, VerifyOtpBody } from "../../src/customers/registration/registration.schemas";
import { ApiError } from "../../src/errors/errors";
import { macCode } from "../../src/otp/code";
import { phoneOf } from "../../src/phone/parse";
import { log } from "../../src/platform/log";
import type { Loop } from "./parts.ts";

/**
 * `GET /bench/loop/<what>?k=<n>`: one ingredient of a request, `k` times
 * over in one request. The CPU of `k=n` less that of `k=0`, over n, is what
 * one call costs once the JIT has warmed up (profile.ts measures it).
 * The labels are in parts.ts.
 */
const LOOPS: Record<Loop, () => unknown> = {
	"zod-verify": () => VerifyOtpBody.safeParse({ phone: "+12025550123", otp: "123456" }),
	"zod-send": () =>
		SendOtpBody.safeParse({
			name: "Bench User",
			email: "bench@example.com",
			phone: "+12025550123",
			password: "correct horse battery",
		}),
	phone: () => phoneOf(`+1202${2_000_000 + (++fresh % 7_000_000)}`),
	stringify: () => JSON.stringify(line()),
	log: () => log("info", "request", line()),
	hmac: () => macCode("bench-otp-secret-bench-otp-secret-0123456789", "register", "+12025550123", "id", 1, "123456"),
	uuid: () => crypto.randomUUID(),
	"api-error": () => new ApiError("OTP_INVALID", undefined, { attemptsRemaining: 5 }),
	"api-error-no-stack": () => {
		const limit = Error.stackTraceLimit;
		Error.stackTraceLimit = 0;
		try {
			return new ApiError("OTP_INVALID", undefined, { attemptsRemaining: 5 });
		} finally {
			Error.stackTraceLimit = limit;
		}
	},
};

let fresh = 0;

const line = () => ({
	level: "info",
	event: "request",
	requestId: "6a1f1d5e-8f3b-4e34-9e5e-0c1a7a1a2b3c",
	method: "POST",
	route: "/api/customers/verify-otp",
	status: 400,
	durationMs: 3,
	phone: "+1202***0123",
	callingCode: "1",
	country: "US",
	errorCode: "OTP_INVALID",
});

export function loop(c: Context) {
	const what = c.req.param("what") as Loop;
	const run = LOOPS[what];
	if (!run) return c.json({ error: `no loop ${what}` }, 404);
	const k = Number(c.req.query("k") ?? "1");
	for (let i = 0; i < k; i++) run();
	return c.json({ ok: true });
}
