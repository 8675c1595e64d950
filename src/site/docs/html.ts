/**
 * HTML built by one template tag that escapes every value it is given:
 * text from the OpenAPI document can never become markup on the page.
 */

/** Markup that is safe as it is: only {@link html} and {@link prose} make it. */
export class Html {
	constructor(readonly markup: string) {}
	toString(): string {
		return this.markup;
	}
}

export type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text made safe for an element's content and for a quoted attribute. */
export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}

function render(part: Part): string {
	if (part instanceof Html) return part.markup;
	if (Array.isArray(part)) return part.map(render).join("");
	if (part === null || part === undefined || part === false) return "";
	return escapeHtml(String(part));
}

/** A template whose values are escaped, unless they are {@link Html} already; arrays are joined, and null, undefined and false render nothing. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
	let markup = strings[0] ?? "";
	values.forEach((value, i) => {
		markup += render(value) + (strings[i + 1] ?? "");
	});
	return new Html(markup);
}

/** Prose from the document, escaped: `code spans` become `<code>`, blank lines new paragraphs. */
export function prose(text: string | undefined): Html {
	if (!text?.trim()) return new Html("");
	const paragraphs = text.trim().split(/\n\s*\n/);
	return html`${paragraphs.map((paragraph) => html`<p>${inline(paragraph)}</p>`)}`;
}

/** One line of prose: escaped, with its `code spans`. */
export function inline(text: string): Html {
	const pieces = text.split("`");
	// An odd backtick out stays a backtick.
	if (pieces.length % 2 === 0) pieces.splice(-2, 2, `${pieces.at(-2)}\`${pieces.at(-1)}`);
	return html`${pieces.map((piece, i) => (i % 2 ? html`<code>${piece}</code>` : piece))}`;
}

/** A fragment identifier made of letters, digits and dashes. */
export function slug(text: string): string {
	return (
		text
			.toLowerCase()
			.replace(/[^a-z0-9]+/g, "-")
			.replace(/^-|-$/g, "") || "x"
	);
}

/** A value of the document (an example, an enum member) as JSON text. */
export function json(value: unknown, indent?: number): string {
	return JSON.stringify(value, null, indent) ?? String(value);
}
