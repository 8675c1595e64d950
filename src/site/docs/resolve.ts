import type { OpenApiDocument, Ref, Schema } from "./types";

const isRef = (value: unknown): value is Ref =>
	typeof value === "object" && value !== null && typeof (value as Ref).$ref === "string";

/** What a local `$ref` (`#/components/schemas/Error`) points at in the document, or undefined. */
function lookup(doc: OpenApiDocument, ref: string): unknown {
	if (!ref.startsWith("#/")) return undefined;
	let node: unknown = doc;
	for (const raw of ref.slice(2).split("/")) {
		const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
		if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) return undefined;
		node = (node as Record<string, unknown>)[key];
	}
	return node;
}

/** A parameter, request body or response with its `$ref`s followed (undefined when one points nowhere). */
export function deref<T extends object>(doc: OpenApiDocument, value: T | Ref | undefined): T | undefined {
	let node: unknown = value;
	for (let hops = 0; isRef(node); hops++) {
		if (hops > 16) return undefined;
		node = lookup(doc, node.$ref);
	}
	return node as T | undefined;
}

/** The name of the component a schema's `$ref` points at (the last segment). */
export const refName = (schema: Schema | undefined): string | undefined => schema?.$ref?.split("/").at(-1);

export interface Resolved {
	schema: Schema;
	/** The component it came from, when it was a `$ref`. */
	name?: string;
}

/**
 * A schema with its `$ref` followed and its `allOf` merged into one object
 * schema (properties and required fields together). A `$ref` that points
 * nowhere reads as an empty schema.
 */
export function resolve(doc: OpenApiDocument, schema: Schema | undefined, depth = 0): Resolved {
	const name = refName(schema);
	const target = deref<Schema>(doc, schema) ?? {};
	if (!target.allOf || depth > 8) return { schema: target, name };
	const { allOf, ...own } = target;
	const merged: Schema = { ...own };
	for (const part of allOf) {
		const { schema: piece } = resolve(doc, part, depth + 1);
		merged.type ??= piece.type;
		merged.description ??= piece.description;
		if (piece.properties) merged.properties = { ...merged.properties, ...piece.properties };
		if (piece.required) merged.required = [...new Set([...(merged.required ?? []), ...piece.required])];
	}
	return { schema: merged, name: name ?? refName(allOf.length === 1 ? allOf[0] : undefined) };
}
