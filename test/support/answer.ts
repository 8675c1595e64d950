/**
 * A response read once: its status, Retry-After and JSON body, which is what
 * tests compare between two answers (`toEqual`); its text and headers come
 * along for the tests that look at them, but stay out of such comparisons
 * (they are not enumerable): the headers carry the request id.
 */
export interface Answer {
	status: number;
	retryAfter: string | null;
	body: Record<string, unknown>;
	readonly text: string;
	readonly headers: Headers;
}

export async function answer(res: Response | Promise<Response>): Promise<Answer> {
	const r = await res;
	const text = await r.text();
	const compared = {
		status: r.status,
		retryAfter: r.headers.get("Retry-After"),
		body: JSON.parse(text) as Record<string, unknown>,
	};
	return Object.defineProperties(compared, { text: { value: text }, headers: { value: r.headers } }) as Answer;
}

/** How many answers carried each error code (`OK` for those without one). */
export const tally = (list: { body: Record<string, unknown> }[]) =>
	list.reduce<Record<string, number>>((acc, { body }) => {
		const key = String(body.code ?? "OK");
		acc[key] = (acc[key] ?? 0) + 1;
		return acc;
	}, {});

/** Statuses of `n` requests made one after the other. */
export async function statuses(n: number, request: () => Promise<Response>): Promise<number[]> {
	const out: number[] = [];
	for (let i = 0; i < n; i++) out.push((await request()).status);
	return out;
}
