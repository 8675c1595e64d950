import { afterEach, describe, expect, it, vi } from "vitest";
import { verifyTurnstile } from "../../src/abuse/turnstile";
import type { TurnstileConfig } from "../../src/config/config";
import {
	createFakeTurnstile,
	DUMMY_TOKEN,
	FAKE_INTERNAL_ERROR_TOKEN,
	FAKE_TURNSTILE_SECRET,
	TEST_SECRETS,
} from "../support/fake-turnstile";
import { argumentTexts, captureLogs } from "../support/log-capture";

const VERIFY_URL = "https://challenges.cloudflare.com/turnstile/v0/siteverify";
const IP = "203.0.113.7";

function config(secretKey: string, timeoutMs = 1_000, expectedHostname?: string): TurnstileConfig {
	return { secretKey, verifyUrl: VERIFY_URL, timeoutMs, expectedHostname };
}

afterEach(() => {
	vi.restoreAllMocks();
});

/** The fake behind a `fetch`-shaped function, counting every call that reaches it. */
function setup() {
	const fake = createFakeTurnstile();
	const requests: Request[] = [];
	const fetcher = ((input: RequestInfo | URL, init?: RequestInit) => {
		const request = new Request(input, init);
		requests.push(request.clone());
		return fake.fetch(request);
	}) as typeof fetch;
	return { fake, fetcher, requests };
}

describe("verifyTurnstile with Cloudflare's test secrets", () => {
	it("1x… always passes the dummy token", async () => {
		const { fetcher } = setup();
		expect(await verifyTurnstile(config(TEST_SECRETS.pass), DUMMY_TOKEN, IP, fetcher)).toEqual({ ok: true });
	});

	it("2x… always fails: invalid-input-response → invalid", async () => {
		const { fetcher } = setup();
		expect(await verifyTurnstile(config(TEST_SECRETS.fail), DUMMY_TOKEN, IP, fetcher)).toEqual({
			ok: false,
			reason: "invalid",
			errorCodes: ["invalid-input-response"],
		});
	});

	it("3x… yields token already spent: timeout-or-duplicate → invalid", async () => {
		const { fetcher } = setup();
		expect(await verifyTurnstile(config(TEST_SECRETS.spent), DUMMY_TOKEN, IP, fetcher)).toEqual({
			ok: false,
			reason: "invalid",
			errorCodes: ["timeout-or-duplicate"],
		});
	});

	it("a test secret with a real token is a misconfiguration (invalid-input-secret) → unavailable", async () => {
		const { fake, fetcher } = setup();
		expect(await verifyTurnstile(config(TEST_SECRETS.pass), fake.issueToken(), IP, fetcher)).toEqual({
			ok: false,
			reason: "unavailable",
			errorCodes: ["invalid-input-secret"],
		});
	});
});

describe("verifyTurnstile with a production secret", () => {
	it("passes an issued token once; the replay is timeout-or-duplicate → invalid", async () => {
		const { fake, fetcher } = setup();
		const token = fake.issueToken();
		expect(await verifyTurnstile(config(FAKE_TURNSTILE_SECRET), token, IP, fetcher)).toEqual({ ok: true });
		expect(await verifyTurnstile(config(FAKE_TURNSTILE_SECRET), token, IP, fetcher)).toEqual({
			ok: false,
			reason: "invalid",
			errorCodes: ["timeout-or-duplicate"],
		});
	});

	it("refuses a token older than 300 seconds", async () => {
		const { fake, fetcher } = setup();
		const token = fake.issueToken({ issuedAt: Date.now() - 301_000 });
		expect(await verifyTurnstile(config(FAKE_TURNSTILE_SECRET), token, IP, fetcher)).toMatchObject({
			reason: "invalid",
			errorCodes: ["timeout-or-duplicate"],
		});
	});

	it.each([
		["a made-up token", "0.not-a-token-the-fake-issued"],
		["the dummy token", DUMMY_TOKEN],
	])("refuses %s: invalid-input-response → invalid", async (_, token) => {
		const { fetcher } = setup();
		expect(await verifyTurnstile(config(FAKE_TURNSTILE_SECRET), token, IP, fetcher)).toEqual({
			ok: false,
			reason: "invalid",
			errorCodes: ["invalid-input-response"],
		});
	});

	it("posts form-encoded secret, response and remoteip", async () => {
		const { fake, fetcher, requests } = setup();
		const token = fake.issueToken();
		await verifyTurnstile(config(FAKE_TURNSTILE_SECRET), token, IP, fetcher);
		expect(fake.calls).toEqual([{ secret: FAKE_TURNSTILE_SECRET, response: token, remoteip: IP }]);
		const [request] = requests;
		expect(request?.method).toBe("POST");
		expect(request?.url).toBe(VERIFY_URL);
		expect(request?.headers.get("content-type")).toMatch(/^application\/x-www-form-urlencoded/);
	});

	it("leaves remoteip out when the client's address is unknown", async () => {
		const { fake, fetcher } = setup();
		const token = fake.issueToken();
		expect(await verifyTurnstile(config(FAKE_TURNSTILE_SECRET), token, null, fetcher)).toEqual({ ok: true });
		expect(fake.calls).toEqual([{ secret: FAKE_TURNSTILE_SECRET, response: token, remoteip: null }]);
	});

	it("an unknown secret (invalid-input-secret) → unavailable", async () => {
		const { fetcher } = setup();
		expect(await verifyTurnstile(config("0x4AAAAAAAWrongSecret"), DUMMY_TOKEN, IP, fetcher)).toEqual({
			ok: false,
			reason: "unavailable",
			errorCodes: ["invalid-input-secret"],
		});
	});

	it("an empty secret (missing-input-secret) → unavailable", async () => {
		const { fake, fetcher } = setup();
		expect(await verifyTurnstile(config(""), fake.issueToken(), IP, fetcher)).toEqual({
			ok: false,
			reason: "unavailable",
			errorCodes: ["missing-input-secret"],
		});
	});
});

describe("verifyTurnstile with an expected hostname", () => {
	const expecting = (hostname: string | undefined) => config(FAKE_TURNSTILE_SECRET, 1_000, hostname);

	it("passes a token solved on that hostname, in any case", async () => {
		const { fake, fetcher } = setup();
		const token = fake.issueToken({ hostname: "verify.acme.test" });
		expect(await verifyTurnstile(expecting("verify.acme.test"), token, IP, fetcher)).toEqual({ ok: true });
		const upper = fake.issueToken({ hostname: "Verify.Acme.Test" });
		expect(await verifyTurnstile(expecting("verify.acme.test"), upper, IP, fetcher)).toEqual({ ok: true });
	});

	it("refuses a token siteverify accepted for another hostname like an invalid one, and logs both names, not the token", async () => {
		const { fake, fetcher } = setup();
		const logs = captureLogs();
		const token = fake.issueToken({ hostname: "solver.example" });
		expect(await verifyTurnstile(expecting("verify.acme.test"), token, IP, fetcher)).toEqual({
			ok: false,
			reason: "invalid",
			errorCodes: [],
		});
		expect(fake.calls).toHaveLength(1);
		expect(logs.events("turnstile_hostname_mismatch")).toEqual([
			{ level: "warn", event: "turnstile_hostname_mismatch", expected: "verify.acme.test", hostname: "solver.example" },
		]);
		expect(argumentTexts(logs.calls()).filter((text) => text.includes(token.slice(2)))).toEqual([]);
	});

	it("refuses a success that reports no hostname", async () => {
		const noHostname = (async () => Response.json({ success: true, "error-codes": [] })) as typeof fetch;
		expect(await verifyTurnstile(expecting("verify.acme.test"), DUMMY_TOKEN, IP, noHostname)).toMatchObject({
			ok: false,
			reason: "invalid",
		});
	});

	it("accepts any hostname when none is expected", async () => {
		const { fake, fetcher } = setup();
		const logs = captureLogs();
		const token = fake.issueToken({ hostname: "anywhere.example" });
		expect(await verifyTurnstile(expecting(undefined), token, IP, fetcher)).toEqual({ ok: true });
		expect(logs.events("turnstile_hostname_mismatch")).toEqual([]);
	});
});

describe("verifyTurnstile refuses locally, without calling siteverify", () => {
	it.each([
		["undefined", undefined],
		["empty", ""],
	])("a %s token → missing", async (_, token) => {
		const { fake, fetcher, requests } = setup();
		expect(await verifyTurnstile(config(TEST_SECRETS.pass), token, IP, fetcher)).toEqual({
			ok: false,
			reason: "missing",
			errorCodes: [],
		});
		expect(requests).toHaveLength(0);
		expect(fake.calls).toHaveLength(0);
	});

	it("a token over 2048 characters → invalid; 2048 exactly still goes out", async () => {
		const { fetcher, requests } = setup();
		expect(await verifyTurnstile(config(TEST_SECRETS.pass), "x".repeat(2049), IP, fetcher)).toEqual({
			ok: false,
			reason: "invalid",
			errorCodes: [],
		});
		expect(requests).toHaveLength(0);
		await verifyTurnstile(config(TEST_SECRETS.pass), "x".repeat(2048), IP, fetcher);
		expect(requests).toHaveLength(1);
	});
});

describe("verifyTurnstile when siteverify cannot give a verdict", () => {
	it("internal-error → unavailable", async () => {
		const { fetcher } = setup();
		expect(await verifyTurnstile(config(FAKE_TURNSTILE_SECRET), FAKE_INTERNAL_ERROR_TOKEN, IP, fetcher)).toEqual({
			ok: false,
			reason: "unavailable",
			errorCodes: ["internal-error"],
		});
	});

	it("no answer within timeoutMs → unavailable", async () => {
		// Like `fetch`, answers nothing and rejects only when the signal aborts.
		const hang = ((_: RequestInfo | URL, init?: RequestInit) =>
			new Promise<Response>((_resolve, reject) => {
				const signal = init?.signal;
				signal?.addEventListener("abort", () => reject(signal.reason));
			})) as typeof fetch;
		const started = Date.now();
		expect(await verifyTurnstile(config(TEST_SECRETS.pass, 50), DUMMY_TOKEN, IP, hang)).toEqual({
			ok: false,
			reason: "unavailable",
			errorCodes: [],
		});
		expect(Date.now() - started).toBeLessThan(1_000);
	});

	it("a 502 with an HTML body → unavailable", async () => {
		const badGateway = (async () =>
			new Response("<html><body>502 Bad Gateway</body></html>", {
				status: 502,
				headers: { "content-type": "text/html" },
			})) as typeof fetch;
		expect(await verifyTurnstile(config(TEST_SECRETS.pass), DUMMY_TOKEN, IP, badGateway)).toEqual({
			ok: false,
			reason: "unavailable",
			errorCodes: [],
		});
	});

	it("a 200 that is not JSON → unavailable", async () => {
		const html = (async () => new Response("<html>Just a moment...</html>", { status: 200 })) as typeof fetch;
		expect(await verifyTurnstile(config(TEST_SECRETS.pass), DUMMY_TOKEN, IP, html)).toMatchObject({
			reason: "unavailable",
		});
	});

	it("a network error → unavailable", async () => {
		const offline = (async () => {
			throw new TypeError("Network connection lost.");
		}) as typeof fetch;
		expect(await verifyTurnstile(config(TEST_SECRETS.pass), DUMMY_TOKEN, IP, offline)).toEqual({
			ok: false,
			reason: "unavailable",
			errorCodes: [],
		});
	});
});

describe("the fake siteverify", () => {
	const endpoint = "https://challenges.cloudflare.com/turnstile/v0/siteverify";

	it("answers 405 to anything but POST", async () => {
		const fake = createFakeTurnstile();
		expect((await fake.fetch(new Request(endpoint))).status).toBe(405);
	});

	it("accepts JSON as well as form bodies", async () => {
		const fake = createFakeTurnstile();
		const res = await fake.fetch(
			new Request(endpoint, {
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify({ secret: TEST_SECRETS.pass, response: DUMMY_TOKEN, remoteip: IP }),
			}),
		);
		expect(await res.json()).toMatchObject({ success: true, "error-codes": [], hostname: "example.com" });
		expect(fake.calls).toEqual([{ secret: TEST_SECRETS.pass, response: DUMMY_TOKEN, remoteip: IP }]);
	});

	it("reports a missing response as missing-input-response", async () => {
		const fake = createFakeTurnstile();
		const res = await fake.fetch(
			new Request(endpoint, { method: "POST", body: new URLSearchParams({ secret: TEST_SECRETS.pass }) }),
		);
		expect(await res.json()).toEqual({ success: false, "error-codes": ["missing-input-response"], messages: [] });
	});
});
