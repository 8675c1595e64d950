import type { TokenConfig } from "../config/config";
import { ApiError } from "../http/errors";
import { log } from "../http/log";
import { hashTokenId, randomId, readSessionToken, signSessionToken, type TokenPair } from "./session-tokens";
import { sessionRepository } from "./sessions.repository";

/** Where a session was opened from, as stored with it. */
export interface ClientInfo {
	userAgent: string | null;
	ipSummary: string | null;
}

/**
 * Opens a session (a new refresh-token family) and returns its first tokens;
 * null when the customer is gone or no longer has `passwordHash` (a reset or
 * a deletion won the race with this sign-in).
 */
export async function openSession(
	db: D1Database,
	tokens: TokenConfig,
	customer: { id: number; passwordHash: string | null },
	client: ClientInfo,
	nowMs: number,
): Promise<TokenPair | null> {
	const customerId = customer.id;
	const sessionId = randomId();
	const refresh = await signSessionToken(tokens, "refresh", customerId, sessionId, nowMs);
	const now = new Date(nowMs);
	const created = await sessionRepository(db).create(
		{
			id: sessionId,
			customerId,
			tokenHash: await hashTokenId(refresh.jti),
			createdAt: now,
			lastUsedAt: now,
			expiresAt: new Date(refresh.expiresAt),
			userAgent: client.userAgent,
			ipSummary: client.ipSummary,
		},
		customer.passwordHash,
		now,
	);
	return created ? pair(tokens, customerId, sessionId, refresh.token, nowMs) : null;
}

/**
 * Exchanges a refresh token for new tokens; the presented one stops working.
 * A genuine token that is no longer its session's current one was used
 * before: someone holds a copy, so the whole session is revoked (OAuth 2.0
 * Security BCP, refresh token rotation with reuse detection).
 * @throws ApiError UNAUTHORIZED or TOKEN_REUSED.
 */
export async function rotateSession(
	db: D1Database,
	tokens: TokenConfig,
	refreshToken: string,
	nowMs: number,
): Promise<TokenPair> {
	const claims = await readSessionToken(tokens, "refresh", refreshToken, nowMs);
	if (!claims) throw new ApiError("UNAUTHORIZED", "The refresh token is invalid or expired");
	const { customerId, sessionId } = claims;
	const next = await signSessionToken(tokens, "refresh", customerId, sessionId, nowMs);
	const repo = sessionRepository(db);
	const now = new Date(nowMs);
	const [presented, nextHash] = await Promise.all([hashTokenId(claims.jti), hashTokenId(next.jti)]);
	if (await repo.rotate(sessionId, customerId, presented, nextHash, now, new Date(next.expiresAt))) {
		return pair(tokens, customerId, sessionId, next.token, nowMs);
	}
	const session = await repo.find(sessionId);
	const live =
		session && !session.revokedAt && session.expiresAt.getTime() > nowMs && session.customerId === customerId;
	const ended = new ApiError("UNAUTHORIZED", "The session has ended; sign in again");
	if (!live) throw ended;
	// Of parallel reuses, only the one that revokes reports it; the others find the
	// session already ended, as they would have in any serial order.
	if (!(await repo.revoke(sessionId, "token_reuse", now))) throw ended;
	log("warn", "refresh_token_reused", { customerId, session: sessionId.slice(0, 8) });
	throw new ApiError("TOKEN_REUSED");
}

/**
 * Ends the session a refresh token belongs to. Idempotent for a genuine
 * token, whatever state its session is in.
 * @throws ApiError UNAUTHORIZED for a token that is not genuine or has expired.
 */
export async function closeSession(
	db: D1Database,
	tokens: TokenConfig,
	refreshToken: string,
	nowMs: number,
): Promise<void> {
	const claims = await readSessionToken(tokens, "refresh", refreshToken, nowMs);
	if (!claims) throw new ApiError("UNAUTHORIZED", "The refresh token is invalid or expired");
	await sessionRepository(db).revoke(claims.sessionId, "logout", new Date(nowMs));
}

async function pair(
	tokens: TokenConfig,
	customerId: number,
	sessionId: string,
	refreshToken: string,
	nowMs: number,
): Promise<TokenPair> {
	const access = await signSessionToken(tokens, "access", customerId, sessionId, nowMs);
	return { accessToken: access.token, refreshToken, tokenType: "Bearer", expiresIn: tokens.accessTtlSeconds };
}
