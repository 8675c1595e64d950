import { describe, expect, it } from "vitest";
import { escapeHtml, html, inline } from "../../src/site/docs/html";
import { renderDocsPage } from "../../src/site/docs/page";
import type { OpenApiDocument } from "../../src/site/docs/types";

/** The renderer on documents no app of ours would write: hostile text, odd references, cycles. */

const ERROR = {
	type: "object",
	properties: { code: { type: "string", enum: ["BAD_<X>", "NOPE"] }, message: { type: "string" } },
	required: ["code", "message"],
};

const hostile: OpenApiDocument = {
	openapi: "3.1.0",
	info: { title: "<script>alert(1)</script>", version: '1"><img src=x onerror=alert(1)>', description: "a `<b>` & b" },
	paths: {
		"/x/<svg onload=alert(1)>": {
			post: {
				tags: ["<i>tag</i>"],
				summary: "<img src=x onerror=alert(2)>",
				description: "`</code><script>x</script>` and <iframe>",
				security: [{ "<k>": [] }],
				parameters: [{ name: '"><u>q</u>', in: "query", description: "<em>d</em>", schema: { type: "string" } }],
				requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/Body" } } } },
				responses: {
					200: { description: "<b>ok</b>" },
					400: {
						description: "BAD_<X>, NOPE",
						content: { "application/json": { schema: { $ref: "#/components/schemas/Err" } } },
					},
				},
			},
		},
	},
	components: {
		schemas: {
			Err: ERROR,
			Body: {
				type: "object",
				properties: {
					"<u>field</u>": {
						type: "string",
						pattern: "^<script>$",
						enum: ["</li>"],
						example: "\"'&",
						description: "<em>x</em>",
					},
				},
				required: ["<u>field</u>"],
			},
		},
		securitySchemes: { "<k>": { type: "http", scheme: "bearer", description: "<script>s</script>" } },
	},
};

describe("the docs renderer", () => {
	it("escapes every text of the document, in content and in attributes", () => {
		const page = renderDocsPage(hostile, { brand: "<Acme>", openapiUrl: '/o"penapi.json', errors: {} });
		expect(page).not.toMatch(/<(script|img|svg|iframe|u|i|b|em)[\s>]/);
		// Escaped text has no "<": every tag left is one the renderer wrote, and none has a handler.
		for (const tag of page.match(/<[a-z][^>]*>/g) ?? []) expect(tag).not.toMatch(/\son[a-z]+=/);
		expect(page).toContain("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>");
		expect(page).toContain("Version 1&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
		expect(page).toContain('href="/o&quot;penapi.json"');
		expect(page).toContain("<code>&lt;/code&gt;&lt;script&gt;x&lt;/script&gt;</code> and &lt;iframe&gt;");
		expect(page).toContain('<code class="field-name">&lt;u&gt;field&lt;/u&gt;</code>');
		expect(page).toContain("pattern <code>^&lt;script&gt;$</code>");
		expect(page).toContain("example <code>&quot;\\&quot;&#39;&amp;&quot;</code>");
		expect(page).toContain("<code>BAD_&lt;X&gt;</code>");
		expect(page).toContain('<a class="brand" href="/">&lt;Acme&gt;</a>');
		// Fragment identifiers are slugs: nothing of the text reaches an attribute unescaped.
		expect(page).toContain('<section class="op" id="op-post-x-svg-onload-alert-1"');
		expect(page).toContain('id="error-bad-x"');
	});

	it("follows $refs (chains too), merges allOf, survives cycles and references that point nowhere", () => {
		const doc: OpenApiDocument = {
			openapi: "3.1.0",
			info: { title: "T", version: "1" },
			paths: {
				"/tree": {
					get: {
						responses: {
							200: { $ref: "#/components/responses/Tree" },
							404: { description: "missing", content: { "application/json": { schema: { $ref: "#/nowhere" } } } },
						},
					},
				},
			},
			components: {
				responses: {
					Tree: {
						description: "A tree",
						content: { "application/json": { schema: { $ref: "#/components/schemas/Alias" } } },
					},
				},
				schemas: {
					Alias: { $ref: "#/components/schemas/Node" },
					Node: {
						allOf: [
							{ $ref: "#/components/schemas/Named" },
							{
								type: "object",
								properties: { children: { type: "array", items: { $ref: "#/components/schemas/Node" } } },
							},
						],
					},
					Named: { type: "object", properties: { label: { type: "string", minLength: 2 } }, required: ["label"] },
				},
			},
		};
		const page = renderDocsPage(doc, { brand: "B", openapiUrl: "/openapi.json" });
		expect(page).toContain("A tree");
		expect(page).toMatch(
			/<code class="field-name">label<\/code> <span class="type">string<\/span> <strong class="required">required/,
		);
		expect(page).toContain('<code class="field-name">children</code> <span class="type">array of Node</span>');
		expect(page).toContain("min length 2");
		expect(page).toContain("missing");
	});

	it("html`` escapes values, keeps nested markup, drops null, undefined and false", () => {
		expect(
			html`<p title="${'"x"'}">${"<b>"}${html`<i>${"&"}</i>`}${null}${undefined}${false}${[1, "<", 2]}</p>`.markup,
		).toBe('<p title="&quot;x&quot;">&lt;b&gt;<i>&amp;</i>1&lt;2</p>');
		expect(escapeHtml(`<>&"'`)).toBe("&lt;&gt;&amp;&quot;&#39;");
		expect(inline("a `b` c `d").markup).toBe("a <code>b</code> c `d");
	});
});
