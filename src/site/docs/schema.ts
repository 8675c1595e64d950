import { type Html, html, inline, json } from "./html";
import { resolve } from "./resolve";
import type { OpenApiDocument, Schema } from "./types";

/** How deep nested objects are drawn; a self-referencing schema stops here. */
const MAX_DEPTH = 6;

const typesOf = (schema: Schema): string[] => {
	const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
	if (schema.nullable && !types.includes("null")) types.push("null");
	return types;
};

/** A schema's type in words: `string (email)`, `array of Customer`, `map of integer`, `number | null`. */
export function typeLabel(doc: OpenApiDocument, raw: Schema | undefined, depth = 0): string {
	const { schema, name } = resolve(doc, raw);
	if (depth > MAX_DEPTH) return name ?? "…";
	const variants = schema.oneOf ?? schema.anyOf;
	if (variants) return variants.map((variant) => typeLabel(doc, variant, depth + 1)).join(" | ");
	let types = typesOf(schema);
	if (!types.length) types = [schema.properties ? "object" : schema.const !== undefined ? typeof schema.const : "any"];
	const words = types.map((type) => {
		if (type === "array") return `array of ${typeLabel(doc, schema.items, depth + 1)}`;
		if (type === "object" && name) return name;
		const map = schema.additionalProperties;
		if (type === "object" && !schema.properties && typeof map === "object")
			return `map of ${typeLabel(doc, map, depth + 1)}`;
		return schema.format ? `${type} (${schema.format})` : type;
	});
	return words.join(" | ");
}

/** The constraints, allowed values and examples of one schema, as short items. */
export function facts(doc: OpenApiDocument, raw: Schema | undefined): Html[] {
	const { schema } = resolve(doc, raw);
	const items: Html[] = [];
	const add = (label: string, value: unknown, code = true) => {
		if (value === undefined || value === false) return;
		items.push(code ? html`${label} <code>${json(value)}</code>` : html`${label} ${String(value)}`);
	};
	add("min length", schema.minLength, false);
	add("max length", schema.maxLength, false);
	add(schema.exclusiveMinimum === true ? "more than" : "minimum", schema.minimum, false);
	add(schema.exclusiveMaximum === true ? "less than" : "maximum", schema.maximum, false);
	if (typeof schema.exclusiveMinimum === "number") add("more than", schema.exclusiveMinimum, false);
	if (typeof schema.exclusiveMaximum === "number") add("less than", schema.exclusiveMaximum, false);
	add("multiple of", schema.multipleOf, false);
	add("min items", schema.minItems, false);
	add("max items", schema.maxItems, false);
	if (schema.uniqueItems) items.push(html`unique items`);
	if (schema.pattern !== undefined) items.push(html`pattern <code>${schema.pattern}</code>`);
	if (schema.const !== undefined) add("always", schema.const);
	else if (schema.enum)
		items.push(html`one of ${schema.enum.map((value, i) => html`${i ? ", " : ""}<code>${json(value)}</code>`)}`);
	add("default", schema.default);
	add("example", schema.example ?? schema.examples?.[0]);
	if (schema.deprecated) items.push(html`deprecated`);
	if (schema.readOnly) items.push(html`read only`);
	if (schema.writeOnly) items.push(html`write only`);
	return items;
}

const factList = (items: Html[]) =>
	items.length ? html`<ul class="facts">${items.map((item) => html`<li>${item}</li>`)}</ul>` : "";

/** What a value is made of when it holds fields: an object, the items of an array, the values of a map. */
function inner(doc: OpenApiDocument, raw: Schema | undefined): { schema: Schema; label?: string } | undefined {
	const { schema } = resolve(doc, raw);
	if (schema.properties) return { schema };
	const types = typesOf(schema);
	if (types.includes("array") && schema.items) {
		const items = resolve(doc, schema.items).schema;
		return items.properties ? { schema: items, label: "Each item:" } : undefined;
	}
	if (typeof schema.additionalProperties === "object") {
		const values = resolve(doc, schema.additionalProperties).schema;
		return values.properties ? { schema: values, label: "Each value:" } : undefined;
	}
	return undefined;
}

/** The fields of an object schema, each with its type, whether it is required, its constraints, and its own fields. */
export function fields(doc: OpenApiDocument, object: Schema, depth = 0): Html {
	const required = new Set(object.required ?? []);
	const rows = Object.entries(object.properties ?? {}).map(([name, property]) => {
		const { schema } = resolve(doc, property);
		const nested = depth < MAX_DEPTH ? inner(doc, property) : undefined;
		return html`<li>
	<p class="field-head"><code class="field-name">${name}</code> <span class="type">${typeLabel(doc, property)}</span> ${
		required.has(name) ? html`<strong class="required">required</strong>` : html`<span class="optional">optional</span>`
	}</p>
	${schema.description ? html`<p class="field-desc">${inline(schema.description)}</p>` : ""}
	${factList(facts(doc, property))}
	${nested ? html`${nested.label ? html`<p class="field-desc">${nested.label}</p>` : ""}${fields(doc, nested.schema, depth + 1)}` : ""}
</li>`;
	});
	const open = object.additionalProperties;
	const extra = object.properties && (open === true || (typeof open === "object" && !Object.keys(open).length));
	return html`<ul class="fields">${rows}${extra ? html`<li class="field-desc">Other fields are accepted and ignored.</li>` : ""}</ul>`;
}

/** A request or response body's schema: its component name, description and fields (or its type, for a scalar). */
export function schemaBlock(doc: OpenApiDocument, raw: Schema | undefined): Html {
	const { schema } = resolve(doc, raw);
	const nested = inner(doc, raw);
	return html`<div class="schema">
	<p class="schema-type">Schema: <span class="type">${typeLabel(doc, raw)}</span></p>
	${schema.description ? html`<p class="field-desc">${inline(schema.description)}</p>` : ""}
	${nested ? html`${nested.label ? html`<p class="field-desc">${nested.label}</p>` : ""}${fields(doc, nested.schema)}` : factList(facts(doc, raw))}
</div>`;
}

/** A value that fits the schema, built from its examples, defaults and first allowed values. */
export function exampleOf(doc: OpenApiDocument, raw: Schema | undefined, depth = 0): unknown {
	const { schema } = resolve(doc, raw);
	const given = schema.example ?? schema.examples?.[0] ?? schema.default ?? schema.const ?? schema.enum?.[0];
	if (given !== undefined || depth > MAX_DEPTH) return given;
	if (schema.oneOf ?? schema.anyOf) return exampleOf(doc, (schema.oneOf ?? schema.anyOf)?.[0], depth + 1);
	if (schema.properties) {
		const entries = Object.entries(schema.properties).map(([key, value]) => [key, exampleOf(doc, value, depth + 1)]);
		return Object.fromEntries(entries);
	}
	const type = typesOf(schema)[0];
	if (type === "array") return [exampleOf(doc, schema.items, depth + 1)];
	if (type === "object") return {};
	if (type === "integer" || type === "number") return schema.minimum ?? 0;
	if (type === "boolean") return true;
	if (type === "null") return null;
	return schema.format === "date-time" ? "2025-01-01T00:00:00Z" : "string";
}
