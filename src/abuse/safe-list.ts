/**
 * A range's own safe list (in its guard object): prefixes inside the range (the
 * range itself, a block, one number) whose sends are never throttled and draw
 * on the budgets' reserve, like SMS_SAFE_RANGES, but set at run time by an
 * operator (POST /api/admin/protection/safe).
 */

/** Entries one range keeps, at most: the list travels with every answer of the object. */
export const MAX_SAFE_ENTRIES = 100;

/** Whether `e164` starts with an entry of `list`. */
export const isSafeIn = (list: readonly string[] | undefined, e164: string) =>
	list?.some((entry) => e164.startsWith(entry)) ?? false;

/** `list` with `entry` added (`safe`) or removed, sorted; `changed` false when it was so already. Null when full. */
export function withEntry(
	list: readonly string[] | undefined,
	entry: string,
	safe: boolean,
): { list: string[]; changed: boolean } | null {
	const current = list ?? [];
	const has = current.includes(entry);
	if (has === safe) return { list: [...current], changed: false };
	if (safe && current.length >= MAX_SAFE_ENTRIES) return null;
	const next = safe ? [...current, entry] : current.filter((e) => e !== entry);
	return { list: next.sort(), changed: true };
}
