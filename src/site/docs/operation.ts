import { type Html, html, inline, json, prose, slug } from "./html";
import { deref, resolve } from "./resolve";
import { exampleOf, facts, schemaBlock, typeLabel } from "./schema";
import { METHODS, type Method, type OpenApiDocument, type Operation, type Parameter, type Response } from "./types";

/** What the page knows of the error codes beyond the document: status and default message, by code. */
export type ErrorCatalog = Record<string, { status: number; message: string }>;

export interface Context {
	doc: OpenApiDocument;
	errors: ErrorCatalog;
}

/** One operation of the document, with its parameters (the path's and its own) resolved. */
export interface Endpoint {
	method: Method;
	path: string;
	operation: Operation;
	parameters: Parameter[];
	/** Its fragment identifier on the page. */
	id: string;
}

export function endpoints(doc: OpenApiDocument): Endpoint[] {
	return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
		METHODS.flatMap((method) => {
			const operation = item[method];
			if (!operation) return [];
			const byKey = new Map<string, Parameter>();
			for (const ref of [...(item.parameters ?? []), ...(operation.parameters ?? [])]) {
				const parameter = deref<Parameter>(doc, ref);
				if (parameter) byKey.set(`${parameter.in}:${parameter.name}`, parameter);
			}
			return [{ method, path, operation, parameters: [...byKey.values()], id: `op-${method}-${slug(path)}` }];
		}),
	);
}

const REASONS: Record<string, string> = {
	200: "OK",
	201: "Created",
	202: "Accepted",
	204: "No Content",
	400: "Bad Request",
	401: "Unauthorized",
	403: "Forbidden",
	404: "Not Found",
	409: "Conflict",
	410: "Gone",
	413: "Content Too Large",
	415: "Unsupported Media Type",
	422: "Unprocessable Content",
	429: "Too Many Requests",
	500: "Internal Server Error",
	502: "Bad Gateway",
	503: "Service Unavailable",
};

/** The codes an error response names: its description lists them (as errorResponses writes it), its schema's `code` enum knows them. */
export function errorCodes(doc: OpenApiDocument, response: Response): string[] {
	const schema = resolve(doc, Object.values(response.content ?? {})[0]?.schema).schema;
	const known = resolve(doc, schema.properties?.code).schema.enum;
	if (!known || !response.description) return [];
	const named = response.description.split(/\s*,\s*/);
	return named.every((code) => known.includes(code)) ? named : [];
}

function security({ doc }: Context, operation: Operation): Html {
	const requirements = operation.security ?? doc.security ?? [];
	const names = [...new Set(requirements.flatMap((requirement) => Object.keys(requirement)))];
	if (!names.length) return html`<p class="auth"><strong>Authorization:</strong> none.</p>`;
	return html`<p class="auth"><strong>Authorization:</strong> ${names.map(
		(name, i) => html`${i ? " or " : ""}<a href="#auth-${slug(name)}">${schemeLabel(doc, name)}</a>`,
	)}.</p>`;
}

/** A security scheme in words: `Bearer token (JWT)`, `API key in header X-Key`. */
export function schemeLabel(doc: OpenApiDocument, name: string): string {
	const scheme = deref(doc, doc.components?.securitySchemes?.[name]);
	if (scheme?.type === "http" && scheme.scheme?.toLowerCase() === "bearer")
		return `Bearer token${scheme.bearerFormat ? ` (${scheme.bearerFormat})` : ""}`;
	if (scheme?.type === "apiKey") return `API key in ${scheme.in} ${scheme.name}`;
	return scheme ? `${name} (${scheme.type}${scheme.scheme ? ` ${scheme.scheme}` : ""})` : name;
}

function parameters({ doc }: Context, list: Parameter[]): Html | "" {
	if (!list.length) return "";
	const rows = list.map((p) => {
		const description = p.description ?? resolve(doc, p.schema).schema.description;
		return html`<li><p class="field-head"><code class="field-name">${p.name}</code> <span class="in">in ${p.in}</span> <span class="type">${typeLabel(doc, p.schema)}</span> ${
			p.required ? html`<strong class="required">required</strong>` : html`<span class="optional">optional</span>`
		}</p>${description ? html`<p class="field-desc">${inline(description)}</p>` : ""}${facts(doc, p.schema).length ? html`<ul class="facts">${facts(doc, p.schema).map((f) => html`<li>${f}</li>`)}</ul>` : ""}</li>`;
	});
	return html`<h4>Parameters</h4><ul class="fields">${rows}</ul>`;
}

const example = (value: unknown) =>
	html`<details class="example"><summary>Example</summary><pre><code>${json(value, 2)}</code></pre></details>`;

function requestBody({ doc }: Context, operation: Operation): Html | "" {
	const body = deref(doc, operation.requestBody);
	if (!body) return "";
	const media = Object.entries(body.content ?? {}).map(
		([
			type,
			content,
		]) => html`<p class="media">Content type <code>${type}</code>${body.required ? ", required" : ", optional"}.</p>
	${schemaBlock(doc, content.schema)}
	${example(content.example ?? exampleOf(doc, content.schema))}`,
	);
	return html`<h4>Request body</h4>${prose(body.description)}${media}`;
}

function responses(ctx: Context, operation: Operation): Html {
	const rows = Object.entries(operation.responses ?? {}).map(([status, ref]) => {
		const response = deref(ctx.doc, ref) ?? {};
		const codes = errorCodes(ctx.doc, response);
		const head = html`<p class="response-head"><span class="status status-${status.charAt(0)}">${status}</span> ${REASONS[status] ?? ""}</p>`;
		if (codes.length) {
			const items = codes.map(
				(code) =>
					html`<li><a href="#error-${slug(code)}"><code>${code}</code></a>${ctx.errors[code] ? html`: ${ctx.errors[code].message}` : ""}</li>`,
			);
			return html`<li class="response">${head}<ul class="codes" aria-label="Error codes answered with ${status}">${items}</ul>
<p class="field-desc">Body: an <a href="#errors">error object</a>.</p></li>`;
		}
		const content = Object.entries(response.content ?? {}).map(
			([type, media]) =>
				html`<p class="media">Content type <code>${type}</code>.</p>${schemaBlock(ctx.doc, media.schema)}${example(media.example ?? exampleOf(ctx.doc, media.schema))}`,
		);
		return html`<li class="response">${head}${prose(response.description)}${content}</li>`;
	});
	return html`<h4>Responses</h4><ul class="responses">${rows}</ul>`;
}

/** One operation: method and path, what it does, who may call it, what it takes and every answer it gives. */
export function renderOperation(ctx: Context, { method, path, operation, parameters: list, id }: Endpoint): Html {
	return html`<section class="op" id="${id}" aria-labelledby="${id}-title">
<h3 id="${id}-title"><span class="method method-${method}">${method.toUpperCase()}</span> <code class="path">${path}</code></h3>
${operation.summary ? html`<p class="summary">${inline(operation.summary)}</p>` : ""}
${operation.deprecated ? html`<p class="deprecated"><strong>Deprecated.</strong></p>` : ""}
${prose(operation.description)}
${security(ctx, operation)}
${parameters(ctx, list)}
${requestBody(ctx, operation)}
${responses(ctx, operation)}
</section>`;
}
