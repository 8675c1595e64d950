/**
 * A range's episode of refusals: from the first send its guard refused (or,
 * observing, would have refused) until a window passes without one. The
 * operator's index of protected ranges (D1 `protected_ranges`) hears of an
 * episode when it starts, when it turns from throttled to blocked (or back),
 * and at most every ten minutes while it lasts: a transition, not every refusal.
 */
export interface Episode {
	state: "throttled" | "blocked";
	since: number;
	/** The latest refusal. */
	lastAt: number;
	refusals: number;
	/** When the index last heard of it. */
	noticedAt: number;
}

/** What the Worker writes to the index of protected ranges. */
export interface RangeNotice {
	state: Episode["state"];
	since: number;
	at: number;
}

/** How often an episode that goes on is told again, so its row in the index stays fresh. */
export const NOTICE_EVERY_MS = 10 * 60_000;

/**
 * One more refusal of `state` at `now`: the episode it belongs to (a refusal
 * a whole window after the last one starts a new one), and the notice for the
 * index, if it is due.
 */
export function refusedIn(
	episode: Episode | undefined,
	state: Episode["state"],
	now: number,
	windowMs: number,
): { episode: Episode; notice: RangeNotice | null } {
	const ongoing = episode && now - episode.lastAt < windowMs ? episode : undefined;
	const due = !ongoing || ongoing.state !== state || now - ongoing.noticedAt >= NOTICE_EVERY_MS;
	const since = ongoing?.since ?? now;
	const next: Episode = {
		state,
		since,
		lastAt: now,
		refusals: (ongoing?.refusals ?? 0) + 1,
		noticedAt: due ? now : (ongoing?.noticedAt ?? now),
	};
	return { episode: next, notice: due ? { state, since, at: now } : null };
}

/** When the episode no longer matters: a window after its last refusal. */
export const episodeForgetAt = (episode: Episode | undefined, windowMs: number) =>
	episode ? episode.lastAt + windowMs : 0;
