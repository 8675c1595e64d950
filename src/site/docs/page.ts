import { type Html, html, inline, prose, slug } from "./html";
import { type Context, type Endpoint, type ErrorCatalog, endpoints, renderOperation, schemeLabel } from "./operation";
import { deref } from "./resolve";
import { schemaBlock } from "./schema";
import type { OpenApiDocument, Schema } from "./types";

export interface DocsPageOptions {
	/** The site's name, in the header bar as the link home. */
	brand: string;
	/** Where the raw document is served. */
	openapiUrl: string;
	/** The status and default message of each error code, for the Errors section. */
	errors?: ErrorCatalog;
	/** The schema of every error answer (`#/components/schemas/…`); found by its `code` enum when not given. */
	errorSchema?: string;
}

interface Group {
	tag: string;
	id: string;
	description?: string;
	endpoints: Endpoint[];
}

/** Operations by their first tag, in the order the document names them. */
function groups(doc: OpenApiDocument): Group[] {
	const byTag = new Map<string, Group>();
	for (const tag of doc.tags ?? []) byTag.set(tag.name, { ...tag, tag: tag.name, id: "", endpoints: [] });
	for (const endpoint of endpoints(doc)) {
		const tag = endpoint.operation.tags?.[0] ?? "Other";
		const group = byTag.get(tag) ?? { tag, id: "", endpoints: [] };
		group.endpoints.push(endpoint);
		byTag.set(tag, group);
	}
	return [...byTag.values()].filter((g) => g.endpoints.length).map((g) => ({ ...g, id: `tag-${slug(g.tag)}` }));
}

function toc(list: Group[]): Html {
	return html`<nav class="toc" aria-labelledby="toc-title">
<h2 id="toc-title">Contents</h2>
<ul>
<li><a href="#authentication">Authentication</a></li>
${list.map(
	(group) =>
		html`<li><a href="#${group.id}">${group.tag}</a><ul>${group.endpoints.map(
			(e) =>
				html`<li><a href="#${e.id}"><span class="method method-${e.method}">${e.method.toUpperCase()}</span> <span class="path">${e.path}</span></a></li>`,
		)}</ul></li>`,
)}
<li><a href="#errors">Errors</a></li>
</ul>
</nav>`;
}

function authentication({ doc }: Context): Html {
	const schemes = Object.entries(doc.components?.securitySchemes ?? {});
	const items = schemes.map(([name, ref]) => {
		const scheme = deref(doc, ref);
		const bearer = scheme?.type === "http" && scheme.scheme?.toLowerCase() === "bearer";
		return html`<li id="auth-${slug(name)}"><strong>${schemeLabel(doc, name)}</strong> (<code>${name}</code>)${
			bearer ? html`: send <code>Authorization: Bearer &lt;token&gt;</code>.` : ""
		}${scheme?.description ? html` ${inline(scheme.description)}` : ""}</li>`;
	});
	return html`<section id="authentication" aria-labelledby="authentication-title">
<h2 id="authentication-title">Authentication</h2>
${items.length ? html`<p>Operations that need it say so under “Authorization”.</p><ul>${items}</ul>` : html`<p>No operation needs authorization.</p>`}
</section>`;
}

/** The component every error answer uses: the one named, or the first whose `code` property is an enum. */
function findErrorSchema(doc: OpenApiDocument, name?: string): [string, Schema] | undefined {
	const schemas = Object.entries(doc.components?.schemas ?? {});
	return schemas.find(([key, schema]) => (name ? key === name : Array.isArray(schema.properties?.code?.enum)));
}

function errors(ctx: Context, name?: string): Html {
	const found = findErrorSchema(ctx.doc, name);
	const codes = (found?.[1].properties?.code?.enum ?? []).map(String);
	const items = codes.map((code) => {
		const known = ctx.errors[code];
		return html`<div id="error-${slug(code)}"><dt><code>${code}</code>${known ? html` <span class="status status-${String(known.status).charAt(0)}">${known.status}</span>` : ""}</dt>${
			known ? html`<dd>${known.message}</dd>` : html`<dd>No description.</dd>`
		}</div>`;
	});
	return html`<section id="errors" aria-labelledby="errors-title">
<h2 id="errors-title">Errors</h2>
${found ? html`<p>Every error answers with this object (<code>${found[0]}</code>); clients branch on its <code>code</code>, the message is for people.</p>${schemaBlock(ctx.doc, { $ref: `#/components/schemas/${found[0]}` })}` : ""}
${items.length ? html`<h3>Error codes</h3><dl class="error-codes">${items}</dl>` : ""}
</section>`;
}

/** The whole reference page for an OpenAPI 3.x document, as an HTML string (every text from the document escaped). */
export function renderDocsPage(doc: OpenApiDocument, options: DocsPageOptions): string {
	const ctx: Context = { doc, errors: options.errors ?? {} };
	const list = groups(doc);
	const { title, version, description } = doc.info;
	return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}: API reference</title>
<link rel="stylesheet" href="/assets/app.css">
<link rel="stylesheet" href="/assets/docs.css">
</head>
<body class="docs">
<a class="skip" href="#main">Skip to the reference</a>
<header class="bar">
	<a class="brand" href="/">${options.brand}</a>
	<nav aria-label="Site"><a href="/">Create an account</a> · <a href="/login">Sign in</a> · <a href="${options.openapiUrl}">OpenAPI JSON</a></nav>
</header>
<div class="layout">
${toc(list)}
<main id="main">
<div class="intro">
<h1>${title}</h1>
<p class="lead">Version ${version} · OpenAPI ${doc.openapi} · <a href="${options.openapiUrl}">the OpenAPI document (JSON)</a></p>
${prose(description)}
</div>
${authentication(ctx)}
${list.map(
	(group) => html`<section class="tag" id="${group.id}" aria-labelledby="${group.id}-title">
<h2 id="${group.id}-title">${group.tag}</h2>
${prose(group.description)}
${group.endpoints.map((endpoint) => renderOperation(ctx, endpoint))}
</section>`,
)}
${errors(ctx, options.errorSchema)}
</main>
</div>
</body>
</html>
`.markup;
}
