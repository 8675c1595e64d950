import type { TokenConfig } from "../config/config";
import { ApiError } from "../errors/errors";
import { log } from "../platform/log";
import {
	hashTokenId,
	randomId,
	readSessionToken,
	signSessionToken,
	type TokenPair,
	tokenExpiresAt,
} from "./session-tokens";
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
	const refresh = await signSessionToken(tokens, "refresh", customerId, sessionId, nowMs, {
		notAfterMs: endOfSession(nowMs, tokens),
	});
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
 * No refresh reaches past the session's end (sign-in + SESSION_MAX_AGE_SECONDS):
 * every refresh token expires by then, and the database refuses the swap after.
 * `onReuse` hears of that revocation (once per session), before TOKEN_REUSED is thrown.
 * @throws ApiError UNAUTHORIZED or TOKEN_REUSED.
 */
export async function rotateSession(
	db: D1Database,
	tokens: TokenConfig,
	refreshToken: string,
	nowMs: number,
	onReuse: (reuse: { customerId: number; session: string }) => void = () => {},
): Promise<TokenPair> {
	const claims = await readSessionToken(tokens, "refresh", refreshToken, nowMs);
	if (!claims) throw await refusal(db, tokens, refreshToken, nowMs);
	const { customerId, sessionId } = claims;
	const repo = sessionRepository(db);
	const now = new Date(nowMs);
	// The new token's id is stored before it is signed: its expiry comes back from the swap.
	const jti = randomId();
	const [presented, nextHash] = await Promise.all([hashTokenId(claims.jti), hashTokenId(jti)]);
	const uncapped = new Date(tokenExpiresAt(tokens, "refresh", nowMs));
	const maxAgeMs = tokens.sessionMaxAgeSeconds * 1000;
	const expiresAt = await repo.rotate(sessionId, customerId, presented, nextHash, now, uncapped, maxAgeMs);
	if (expiresAt) {
		const next = await signSessionToken(tokens, "refresh", customerId, sessionId, nowMs, {
			jti,
			notAfterMs: expiresAt.getTime(),
		});
		return pair(tokens, customerId, sessionId, next.token, nowMs);
	}
	const session = await repo.find(sessionId);
	const live =
		session &&
		!session.revokedAt &&
		session.expiresAt.getTime() > nowMs &&
		endOfSession(session.createdAt.getTime(), tokens) > nowMs &&
		session.customerId === customerId;
	if (!live) throw sessionEnded();
	// Of parallel reuses, only the one that revokes reports it; the others find the
	// session already ended, as they would have in any serial order.
	if (!(await repo.revoke(sessionId, "token_reuse", now))) throw sessionEnded();
	log("warn", "refresh_token_reused", { customerId, session: sessionId.slice(0, 8) });
	onReuse({ customerId, session: sessionId.slice(0, 8) });
	throw new ApiError("TOKEN_REUSED");
}

/**
 * The answer to a refresh token that does not verify. A genuine one whose
 * session reached its maximum age expired with it: that answer says the
 * session ended, so the client signs in again instead of retrying.
 */
async function refusal(db: D1Database, tokens: TokenConfig, refreshToken: string, nowMs: number): Promise<ApiError> {
	const expired = await readSessionToken(tokens, "refresh", refreshToken, nowMs, { acceptExpired: true });
	const session = expired && (await sessionRepository(db).find(expired.sessionId));
	if (session && endOfSession(session.createdAt.getTime(), tokens) <= nowMs) return sessionEnded();
	return new ApiError("UNAUTHORIZED", "The refresh token is invalid or expired");
}

/**
 * When a session opened at `openedAtMs` ends, however often it is refreshed:
 * in whole seconds, like the `exp` of its last refresh token (and as
 * sessionRepository.rotate counts it).
 */
function endOfSession(openedAtMs: number, tokens: TokenConfig): number {
	return Math.floor((openedAtMs + tokens.sessionMaxAgeSeconds * 1000) / 1000) * 1000;
}

const sessionEnded = () => new ApiError("UNAUTHORIZED", "The session has ended; sign in again");

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
