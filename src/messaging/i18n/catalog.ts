import { ar } from "./lang/ar";
import { de } from "./lang/de";
import { en } from "./lang/en";
import { es } from "./lang/es";
import { fr } from "./lang/fr";
import { hi } from "./lang/hi";
import { id } from "./lang/id";
import { pt } from "./lang/pt";
import { ru } from "./lang/ru";
import type { Texts } from "./lang/texts";
import { tr } from "./lang/tr";
import type { Locale } from "./locale";

/** Every language's texts; `Record<Locale, …>` makes a missing language a compile error. */
export const TEXTS: Record<Locale, Texts> = { en, es, pt, fr, de, hi, id, ar, tr, ru };

/** How long a code lives, never overstated: whole minutes when the TTL is whole minutes, seconds otherwise. */
export function expiryPhrase(texts: Texts, ttlMs: number): string {
	const minutes = ttlMs / 60_000;
	return Number.isInteger(minutes) ? texts.minutes(minutes) : texts.seconds(Math.floor(ttlMs / 1000));
}
