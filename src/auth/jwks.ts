import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../platform/create-router";
import { errorResponses } from "../platform/error-schema";
import { keyringFor } from "./keyring";

/**
 * How long verifiers and caches may keep the key set, in seconds. A rotation
 * publishes a new key at least this long before it signs (README: "Tokens").
 */
export const JWKS_MAX_AGE_SECONDS = 300;

const PublicJwk = z
	.object({
		kty: z.enum(["OKP", "EC"]),
		crv: z.enum(["Ed25519", "P-256"]),
		x: z.string(),
		y: z.string().optional().openapi({ description: "P-256 keys only" }),
		kid: z.string(),
		alg: z.enum(["EdDSA", "ES256"]),
		use: z.literal("sig"),
	})
	.openapi("PublicJwk");

const JwkSet = z.object({ keys: z.array(PublicJwk) }).openapi("JwkSet");

export const jwks = createRoute({
	method: "get",
	path: "/.well-known/jwks.json",
	tags: ["Tokens"],
	summary: "The public keys that verify access tokens (JWK set, RFC 7517)",
	description: `Every key that may have signed a live access token, public members only; a token's \`kid\` names its key. Cacheable for ${JWKS_MAX_AGE_SECONDS} seconds (\`Cache-Control\`); answers 304 to a matching \`If-None-Match\`. Refresh tokens are not verifiable with these keys: only this service reads them.`,
	responses: {
		200: {
			content: { "application/json": { schema: JwkSet } },
			description: "The key set",
			headers: {
				"Cache-Control": { schema: { type: "string", example: `public, max-age=${JWKS_MAX_AGE_SECONDS}` } },
				ETag: { schema: { type: "string" } },
			},
		},
		304: { description: "The set is unchanged since the ETag given in If-None-Match" },
		...errorResponses("CONFIGURATION_ERROR"),
	},
});

/** `/.well-known/jwks.json`: the published half of JWT_SIGNING_KEYS. */
export const jwksRouter = createRouter().openapi(jwks, async (c) => {
	const { body, etag } = (await keyringFor(c.get("config").tokens)).jwks;
	const headers = { "Cache-Control": `public, max-age=${JWKS_MAX_AGE_SECONDS}`, ETag: etag };
	if (matchesEtag(c.req.header("If-None-Match"), etag)) return c.body(null, 304, headers);
	return c.body(body, 200, { ...headers, "Content-Type": "application/json" });
});

/** RFC 9110 If-None-Match: a list of tags, weak or strong, or `*`. */
function matchesEtag(header: string | undefined, etag: string): boolean {
	if (!header) return false;
	return header.split(",").some((tag) => {
		const t = tag.trim();
		return t === "*" || t.replace(/^W\//, "") === etag;
	});
}
