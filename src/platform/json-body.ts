import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors/errors";

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

export interface JsonBodyOptions {
	/**
	 * Largest accepted body, in bytes.
	 * @default 16384
	 */
	maxBytes?: number;
}

/**
 * Admits a body only if it is JSON (415 otherwise), at most `maxBytes` long
 * (413), and parses (400). Reads at most `maxBytes` + 1 bytes whatever the
 * client sends, and leaves the parsed value where Hono's validator finds it.
 */
export function jsonBody({ maxBytes = 16 * 1024 }: JsonBodyOptions = {}): MiddlewareHandler {
	return async (c, next) => {
		const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim() ?? "";
		if (!JSON_TYPE.test(type)) throw new ApiError("UNSUPPORTED_MEDIA_TYPE");
		const text = await boundedText(c.req.raw, maxBytes);
		let value: unknown;
		try {
			value = JSON.parse(text);
		} catch {
			throw new ApiError("VALIDATION_ERROR", "The request body is not valid JSON", { field: "body" });
		}
		c.req.bodyCache.json = Promise.resolve(value);
		await next();
	};
}

/**
 * The body as text, refusing (413) one over `maxBytes`. The runtime holds a
 * body to its declared length, so only an undeclared one needs counting.
 */
export async function boundedText(req: Request, maxBytes: number): Promise<string> {
	const declared = Number(req.headers.get("content-length") ?? Number.NaN);
	if (declared > maxBytes) throw tooLarge(maxBytes);
	// Bytes, then UTF-8: workerd warns on .text() of a body typed as a form.
	if (Number.isFinite(declared)) return new TextDecoder().decode(await req.arrayBuffer());
	return readText(req, maxBytes);
}

async function readText(req: Request, maxBytes: number): Promise<string> {
	if (!req.body) return "";
	const reader = req.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > maxBytes) {
			await reader.cancel();
			throw tooLarge(maxBytes);
		}
		chunks.push(value);
	}
	const bytes = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return new TextDecoder().decode(bytes);
}

function tooLarge(maxBytes: number): ApiError {
	return new ApiError("PAYLOAD_TOO_LARGE", `The request body must be at most ${maxBytes} bytes`);
}
