/**
 * The parts of an OpenAPI 3.1 document the reference page reads: loose
 * enough that the generator's own types (openapi3-ts) fit them.
 */

export interface Ref {
	$ref: string;
}

export interface Schema {
	$ref?: string;
	type?: string | string[];
	format?: string;
	title?: string;
	description?: string;
	properties?: Record<string, Schema>;
	required?: string[];
	additionalProperties?: Schema | boolean;
	items?: Schema;
	allOf?: Schema[];
	anyOf?: Schema[];
	oneOf?: Schema[];
	enum?: unknown[];
	const?: unknown;
	default?: unknown;
	example?: unknown;
	examples?: unknown[];
	minLength?: number;
	maxLength?: number;
	minimum?: number;
	maximum?: number;
	exclusiveMinimum?: number | boolean;
	exclusiveMaximum?: number | boolean;
	multipleOf?: number;
	minItems?: number;
	maxItems?: number;
	uniqueItems?: boolean;
	pattern?: string;
	nullable?: boolean;
	deprecated?: boolean;
	readOnly?: boolean;
	writeOnly?: boolean;
}

export interface Parameter {
	name: string;
	in: string;
	required?: boolean;
	deprecated?: boolean;
	description?: string;
	schema?: Schema;
	example?: unknown;
}

export interface MediaType {
	schema?: Schema;
	example?: unknown;
}

export interface RequestBody {
	description?: string;
	required?: boolean;
	content?: Record<string, MediaType>;
}

export interface Response {
	description?: string;
	content?: Record<string, MediaType>;
}

export interface Operation {
	tags?: string[];
	summary?: string;
	description?: string;
	operationId?: string;
	deprecated?: boolean;
	parameters?: (Parameter | Ref)[];
	requestBody?: RequestBody | Ref;
	responses?: Record<string, Response | Ref>;
	security?: Record<string, string[]>[];
}

export const METHODS = ["get", "put", "post", "patch", "delete", "options", "head", "trace"] as const;
export type Method = (typeof METHODS)[number];

export type PathItem = { [M in Method]?: Operation } & { parameters?: (Parameter | Ref)[] };

export interface SecurityScheme {
	type: string;
	description?: string;
	scheme?: string;
	bearerFormat?: string;
	name?: string;
	in?: string;
}

export interface OpenApiDocument {
	openapi: string;
	info: { title: string; version: string; description?: string };
	paths?: Record<string, PathItem>;
	components?: {
		schemas?: Record<string, Schema>;
		parameters?: Record<string, Parameter | Ref>;
		requestBodies?: Record<string, RequestBody | Ref>;
		responses?: Record<string, Response | Ref>;
		securitySchemes?: Record<string, SecurityScheme | Ref>;
	};
	security?: Record<string, string[]>[];
	tags?: { name: string; description?: string }[];
}
