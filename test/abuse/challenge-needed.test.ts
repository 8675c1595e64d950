import { describe, expect, it } from "vitest";
import { captchaRequired, challengeNeeded, TURNSTILE_FIELD } from "../../src/abuse/challenge-needed";
import type { Config, TurnstileSettings } from "../../src/config/config";
import { ApiError } from "../../src/errors/errors";

/** The rule the send pipeline asks before answering CAPTCHA_REQUIRED, and that answer. */

const turnstile = (mode: TurnstileSettings["mode"]): Pick<Config, "turnstile"> => ({
	turnstile: {
		secretKey: "1x0000000000000000000000000000000AA",
		verifyUrl: "http://turnstile.test/turnstile/v0/siteverify",
		timeoutMs: 1000,
		mode,
		siteKey: "1x00000000000000000000AA",
		scriptUrl: "https://challenges.cloudflare.com/turnstile/v0/api.js",
	},
});

describe("challengeNeeded", () => {
	it("asks for a challenge in mode pressure from a caller that has not proved a human", () => {
		expect(challengeNeeded(turnstile("pressure"), { network: "203.0.113.7" } as { human?: boolean })).toBe(true);
		expect(challengeNeeded(turnstile("pressure"), { human: false })).toBe(true);
	});

	it("never asks again of a caller whose token siteverify accepted", () => {
		expect(challengeNeeded(turnstile("pressure"), { human: true })).toBe(false);
	});

	it("never asks in mode always (the send gate asked up front) nor without Turnstile (nothing to ask with)", () => {
		for (const caller of [{}, { human: false }, { human: true }]) {
			expect(challengeNeeded(turnstile("always"), caller)).toBe(false);
			expect(challengeNeeded({ turnstile: undefined }, caller)).toBe(false);
		}
	});
});

describe("captchaRequired", () => {
	it("is 403 CAPTCHA_REQUIRED naming the token's field, with the default message", () => {
		expect(captchaRequired()).toEqual({ ok: false, code: "CAPTCHA_REQUIRED", field: "cf-turnstile-response" });
		expect(TURNSTILE_FIELD).toBe("cf-turnstile-response");
		const error = ApiError.from(captchaRequired());
		expect(error.status).toBe(403);
		expect(error.message).toBe("Solve the challenge to continue");
		expect(error.details).toEqual({ field: "cf-turnstile-response" });
	});
});
