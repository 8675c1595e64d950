/** `length` random hex digits (even), for the ids and tokens the fakes make up. */
export function randomHex(length: number): string {
	const bytes = crypto.getRandomValues(new Uint8Array(length / 2));
	return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
