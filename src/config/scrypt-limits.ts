import type { ScryptParams } from "./config";

/**
 * What is wrong with a set of scrypt parameters, by the parameter at fault;
 * empty when workerd can run them within a Worker's memory.
 */
export function scryptLimitProblems({ N, r, p }: ScryptParams): { param: "N" | "P"; message: string }[] {
	const problems: { param: "N" | "P"; message: string }[] = [];
	if (N * r * p > 2 ** 20) problems.push({ param: "P", message: "N·r·p must not exceed 2^20 (workerd's limit)" });
	// RFC 7914 requires N < 2^(16·r).
	if (N >= 2 ** (16 * r)) problems.push({ param: "N", message: "must be below 2^(16·r) (scrypt's own limit)" });
	// A Worker has 128 MB; scrypt needs 128·N·r bytes.
	if (128 * N * r > 64 * 2 ** 20)
		problems.push({ param: "N", message: "128·N·r must not exceed 64 MiB (Workers have 128 MB)" });
	return problems;
}
