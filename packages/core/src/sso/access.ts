import { SsoOptionError, TokenForbiddenError } from './errors.js';
import type { TokenManager } from './manager.js';
import type { SsoCallOptions } from './sso.js';
import { describe, hasScopes, type Token } from './token.js';

/** Input of {@link tokenFor}. */
export interface TokenForInput extends SsoCallOptions {
  /** The user acting (the app's own user id, as tokens store it). */
  readonly userId: string;
  /** The character the call is for. */
  readonly characterId: number;
  /** The scope the call needs (an operation's `scope`); none for any of the user's tokens. */
  readonly scope?: string | undefined;
}

/**
 * Picks the token a user may act with for one of their characters: only tokens the user owns are
 * looked at, so a user can never act with another user's token, whoever logged the character in.
 * The newest token with the scope wins. The token is not refreshed here; hand it to the client
 * as `tokens.source(token)`, which refreshes it safely when it is used.
 *
 * Adapters (tRPC, GraphQL, a gateway) call this before any ESI request, so "not your character"
 * and "missing scope" are answered without asking ESI.
 *
 * @throws {TokenForbiddenError} `not-your-character` when the user has no token of the
 *   character, `missing-scope` when none of them has `scope`.
 * @example
 * const token = await tokenFor(tokens, { userId: session.userId, characterId, scope: op.scope });
 * const wallet = await esi.call(op.id, { character_id: characterId }, { token: tokens.source(token) }).result();
 */
export async function tokenFor(manager: TokenManager, input: TokenForInput): Promise<Token> {
  const { userId, characterId, scope } = input;
  if (typeof userId !== 'string' || userId === '')
    throw new SsoOptionError(
      `tokenFor: "userId" must be a non-empty string, got ${describe(userId)}`,
    );
  if (!Number.isSafeInteger(characterId) || characterId <= 0)
    throw new SsoOptionError(
      `tokenFor: "characterId" must be a positive integer, got ${describe(characterId)}`,
    );
  if (scope !== undefined && (typeof scope !== 'string' || scope === ''))
    throw new SsoOptionError(`tokenFor: "scope" must be a scope name, got ${describe(scope)}`);
  const signal = input.signal;
  const mine = await manager.find({ userId, characterId }, signal ? { signal } : {});
  if (mine.length === 0) throw new TokenForbiddenError('not-your-character', characterId, scope);
  const usable = scope === undefined ? mine : mine.filter((t) => hasScopes(t, [scope]));
  const token = usable.at(-1);
  if (!token) throw new TokenForbiddenError('missing-scope', characterId, scope);
  return token;
}
