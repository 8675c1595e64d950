/** What tests compare between two answers: the status, Retry-After and the JSON body (never the request id). */
export async function answer(res: Response | Promise<Response>) {
	const r = await res;
	return {
		status: r.status,
		retryAfter: r.headers.get("Retry-After"),
		body: (await r.json()) as Record<string, unknown>,
	};
}
