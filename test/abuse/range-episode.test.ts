import { describe, expect, it } from "vitest";
import { NOTICE_EVERY_MS, refusedIn } from "../../src/abuse/range-episode";
import { isSafeIn, MAX_SAFE_ENTRIES, withEntry } from "../../src/abuse/safe-list";

const T0 = Date.UTC(2030, 0, 1);
const MINUTE = 60_000;
const WINDOW = 60 * MINUTE;

describe("an episode of refusals", () => {
	it("tells the index when it starts, when it turns, and every ten minutes, not on each refusal", () => {
		const first = refusedIn(undefined, "throttled", T0, WINDOW);
		expect(first.notice).toEqual({ state: "throttled", since: T0, at: T0 });
		const second = refusedIn(first.episode, "throttled", T0 + MINUTE, WINDOW);
		expect(second.notice).toBeNull();
		expect(second.episode).toMatchObject({ since: T0, lastAt: T0 + MINUTE, refusals: 2 });
		const turned = refusedIn(second.episode, "blocked", T0 + 2 * MINUTE, WINDOW);
		expect(turned.notice).toEqual({ state: "blocked", since: T0, at: T0 + 2 * MINUTE });
		const quiet = refusedIn(turned.episode, "blocked", T0 + 2 * MINUTE + NOTICE_EVERY_MS - 1, WINDOW);
		expect(quiet.notice).toBeNull();
		const fresh = refusedIn(quiet.episode, "blocked", T0 + 2 * MINUTE + NOTICE_EVERY_MS, WINDOW);
		expect(fresh.notice).toEqual({ state: "blocked", since: T0, at: T0 + 2 * MINUTE + NOTICE_EVERY_MS });
		expect(fresh.episode.refusals).toBe(5);
	});

	it("starts again after a whole window without a refusal", () => {
		const first = refusedIn(undefined, "throttled", T0, WINDOW).episode;
		const again = refusedIn(first, "throttled", T0 + WINDOW, WINDOW);
		expect(again.episode).toMatchObject({ since: T0 + WINDOW, refusals: 1 });
		expect(again.notice).toEqual({ state: "throttled", since: T0 + WINDOW, at: T0 + WINDOW });
	});
});

describe("a range's safe list", () => {
	it("matches numbers by prefix", () => {
		expect(isSafeIn(["+1876555"], "+18765550123")).toBe(true);
		expect(isSafeIn(["+1876555"], "+18765560123")).toBe(false);
		expect(isSafeIn(undefined, "+18765550123")).toBe(false);
	});

	it("adds and removes idempotently, sorted", () => {
		const one = withEntry(undefined, "+1876555", true);
		expect(one).toEqual({ list: ["+1876555"], changed: true });
		expect(withEntry(one?.list, "+1876555", true)).toEqual({ list: ["+1876555"], changed: false });
		expect(withEntry(one?.list, "+1876444", true)).toEqual({ list: ["+1876444", "+1876555"], changed: true });
		expect(withEntry(one?.list, "+1876555", false)).toEqual({ list: [], changed: true });
		expect(withEntry([], "+1876555", false)).toEqual({ list: [], changed: false });
	});

	it("is full at 100 entries, and still takes removals", () => {
		const full = Array.from({ length: MAX_SAFE_ENTRIES }, (_, i) => `+1876${1000 + i}`);
		expect(withEntry(full, "+18769999", true)).toBeNull();
		expect(withEntry(full, "+18761000", true)).toMatchObject({ changed: false });
		expect(withEntry(full, "+18761000", false)?.list).toHaveLength(MAX_SAFE_ENTRIES - 1);
	});
});
