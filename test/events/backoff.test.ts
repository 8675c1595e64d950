import { describe, expect, it } from "vitest";
import { MAX_RETRY_SECONDS, retryAfterSeconds, retryDelaySeconds } from "../../src/events/backoff";

const noJitter = () => 0;

describe("the retry backoff", () => {
	it("grows exponentially with the attempts made, up to Queues' 12-hour maximum", () => {
		const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((attempts) => retryDelaySeconds(attempts, 0, noJitter));
		expect(delays).toEqual([60, 180, 540, 1620, 4860, 14_580, 43_200, 43_200, 43_200]);
		expect(retryDelaySeconds(1_000, 0, noJitter)).toBe(MAX_RETRY_SECONDS);
	});

	it("adds up to a fifth at random, never past the maximum", () => {
		expect(retryDelaySeconds(1, 0, () => 0.999)).toBe(71);
		expect(retryDelaySeconds(2, 0, () => 0.5)).toBe(198);
		expect(retryDelaySeconds(7, 0, () => 0.999)).toBe(MAX_RETRY_SECONDS);
	});

	it("waits at least the receiver's Retry-After, capped at the maximum", () => {
		expect(retryDelaySeconds(1, 600, noJitter)).toBe(600);
		expect(retryDelaySeconds(3, 30, noJitter)).toBe(540);
		expect(retryDelaySeconds(1, 10 ** 6, noJitter)).toBe(MAX_RETRY_SECONDS);
	});

	it("reads Retry-After as seconds or as an HTTP date", () => {
		const now = Date.parse("2026-12-01T10:00:00Z");
		expect(retryAfterSeconds("120", now)).toBe(120);
		expect(retryAfterSeconds("Tue, 01 Dec 2026 10:05:00 GMT", now)).toBe(300);
		expect(retryAfterSeconds("Tue, 01 Dec 2026 09:00:00 GMT", now)).toBe(0);
		expect(retryAfterSeconds("soon", now)).toBe(0);
		expect(retryAfterSeconds(null, now)).toBe(0);
	});
});
