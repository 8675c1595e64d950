import { z } from "zod";

// The shapes settings share. Messages are fixed text: they never quote a value.

/** An integer setting; an empty string counts as unset, so the default applies. */
export const int = (min: number, max: number, fallback: number) =>
	z.preprocess(
		(v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
		z.coerce
			.number({ error: "must be a number" })
			.int("must be a whole number")
			.min(min, `must be at least ${min}`)
			.max(max, `must be at most ${max}`)
			.default(fallback),
	);

/**
 * ISO 3166-1 alpha-2 codes (upper-cased) and country calling codes (1 to 3
 * digits, a leading `+` dropped: `882` covers a countryless range),
 * comma-separated; empty means none.
 */
export const countryList = z
	.preprocess((v) => (typeof v === "string" ? v : ""), z.string())
	.transform((s) =>
		s
			.split(",")
			.map((c) =>
				c
					.trim()
					.toUpperCase()
					.replace(/^\+(?=\d)/, ""),
			)
			.filter(Boolean),
	)
	.refine(
		(list) => list.every((c) => /^([A-Z]{2}|[1-9]\d{0,2})$/.test(c)),
		"must be comma-separated two-letter country codes or calling codes, like US,CA,882",
	);

/** Empty strings (as left by a copied `.dev.vars.example`) count as unset. */
export const optionalString = z
	.string()
	.trim()
	.optional()
	.transform((v) => (v ? v : undefined));
