import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SsoLoginDeniedError, SsoOptionError, SsoStateError, TokenError } from './errors.js';
import { guard } from './internal/abort.js';
import { reportRemoved, type TokenManager } from './manager.js';
import type { SsoCallOptions, TokenResponse } from './sso.js';
import type { CallbackRedirect } from './store.js';
import {
  describe,
  hasExactScopes,
  normalizeScopes,
  type ScopesInput,
  type Token,
} from './token.js';
import type { VerifiedAccessToken } from './verify.js';

/** Input of {@link startLogin}. */
export interface StartLoginInput extends SsoCallOptions {
  /** The caller's session (cookie session id); the callback must present the same one. */
  readonly sessionKey: string;
  /** Scopes to ask for, as a list or a space-separated string. */
  readonly scopes: ScopesInput;
  /** Where to send the user once the login completes. */
  readonly returnUrl?: string;
  /** Owning user to attach the token to. */
  readonly userId?: string;
  /** Use PKCE even with a client secret. Public clients always use it. @default false */
  readonly pkce?: boolean;
}

/** Result of {@link startLogin}. */
export interface StartedLogin {
  /** Redirect the user here. */
  readonly url: URL;
  /** The `state` bound to this login (already saved in the store). */
  readonly state: string;
}

/** Input of {@link completeLogin}. */
export interface CompleteLoginInput extends SsoCallOptions {
  /** The session the callback arrived in. */
  readonly sessionKey: string;
  /** The full callback URL (or just its query parameters). */
  readonly callback: URL | string | URLSearchParams;
}

/** Result of {@link completeLogin}. */
export interface CompletedLogin {
  readonly token: Token;
  /** The `returnUrl` given to {@link startLogin}. */
  readonly returnUrl: string | undefined;
  /** True if an equivalent token was updated rather than a new one created. */
  readonly updatedExisting: boolean;
}

/**
 * Starts a login: saves a {@link CallbackRedirect} bound to the session (with a fresh PKCE
 * verifier for public clients) and returns the SSO URL to redirect to.
 *
 * @example
 * const { url } = await startLogin(tokens, { sessionKey: req.session.id, scopes: 'esi-skills.read_skills.v1', returnUrl: '/me' });
 * res.redirect(url.href);
 */
export async function startLogin(
  manager: TokenManager,
  input: StartLoginInput,
): Promise<StartedLogin> {
  return guard(input.signal, 'login start', async () => {
    const sessionKey = requireSessionKey(input.sessionKey);
    const scopes = normalizeScopes(input.scopes);
    if (input.returnUrl !== undefined && typeof input.returnUrl !== 'string')
      throw new SsoOptionError(`returnUrl must be a string, got ${describe(input.returnUrl)}`);
    const usePkce = manager.sso.isPublicClient || input.pkce === true;
    const pkce = usePkce ? await manager.sso.createPkce(input) : undefined;
    const state = randomBytes(32).toString('base64url');
    const redirect: CallbackRedirect = {
      state,
      sessionKey,
      returnUrl: input.returnUrl,
      codeVerifier: pkce?.codeVerifier,
      scopes,
      userId: input.userId,
      created: manager.clock(),
    };
    const url = await manager.sso.authorizationUrl(
      { scopes, state, ...(pkce ? { codeChallenge: pkce.codeChallenge } : {}) },
      input,
    );
    await manager.store.saveCallbackRedirect(redirect, input);
    return { url, state };
  });
}

/**
 * Completes a login from SSO's callback: checks that the `state` is one this session started
 * (and not used before, and not older than `loginTimeoutSeconds`), exchanges the code, verifies
 * the access token and saves the token (see {@link saveToken}).
 *
 * @example
 * const { token, returnUrl } = await completeLogin(tokens, { sessionKey: req.session.id, callback: new URL(req.url, origin) });
 */
export async function completeLogin(
  manager: TokenManager,
  input: CompleteLoginInput,
): Promise<CompletedLogin> {
  return guard(input.signal, 'login completion', async () => {
    const sessionKey = requireSessionKey(input.sessionKey);
    const params = callbackParams(input.callback);
    const state = params.get('state');
    if (state === null || state === '')
      throw new SsoStateError('the SSO callback has no state parameter');
    // Taken, not read: the same callback (or a replayed code) finds nothing the second time.
    const redirect = await manager.store.takeCallbackRedirect(state, input);
    if (redirect === undefined)
      throw new SsoStateError(
        'the SSO callback state is unknown, expired or already used (replayed callback?)',
      );
    if (!sameString(redirect.sessionKey, sessionKey))
      throw new SsoStateError(
        'the SSO callback state belongs to a login started in another session',
      );
    if (manager.clock() - redirect.created > manager.loginTimeoutSeconds * 1000)
      throw new SsoStateError(
        `the login took longer than ${manager.loginTimeoutSeconds} s; start it again`,
      );
    const error = params.get('error');
    if (error !== null) {
      const description = params.get('error_description');
      throw new SsoLoginDeniedError(
        error,
        `SSO login failed: ${error}${description ? ` (${description.slice(0, 200)})` : ''}`,
      );
    }
    const code = params.get('code');
    if (code === null || code === '')
      throw new SsoStateError('the SSO callback has no code parameter');
    const response = await manager.sso.exchangeCode({
      code,
      state,
      ...(redirect.codeVerifier !== undefined ? { codeVerifier: redirect.codeVerifier } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    });
    const saved = await saveToken(manager, response, {
      userId: redirect.userId,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    return { ...saved, returnUrl: redirect.returnUrl };
  });
}

/**
 * Deletes a token of the character's previous owner, fenced on its version: a token that
 * changed meanwhile (a refresh) is read again and deleted only if it still belongs to another
 * owner. Returns the token as deleted, or undefined when it was gone or is no longer another's;
 * throws `ESIKIT_TOKEN_CONFLICT` when it still is another's after three tries.
 */
async function deleteFormerOwners(
  store: TokenManager['store'],
  token: Token,
  ownerHash: string,
  options: SsoCallOptions,
): Promise<Token | undefined> {
  let current: Token | undefined = token;
  for (let attempt = 0; attempt < 3 && current && current.ownerHash !== ownerHash; attempt++) {
    if (await store.delete(current.id, current.version, options)) return current;
    current = await store.get(current.id, options);
  }
  // Still another owner's after three tries: fail the login rather than keep a former owner's
  // token beside the new owner's.
  if (current && current.ownerHash !== ownerHash)
    throw new TokenError(
      'ESIKIT_TOKEN_CONFLICT',
      `token ${current.id} of the character's previous owner kept changing while the login was saved`,
      { tokenId: current.id },
    );
  return undefined;
}

/**
 * Stores a verified token answer. An equivalent token (same character, owner and exact scopes,
 * compatible user) is updated instead of duplicated, unless `alwaysCreateToken`. If the owner
 * hash changed (the character was sold), the previous owner's tokens for it are deleted.
 *
 * @example
 * const { token } = await saveToken(tokens, await sso.exchangeCode({ code, state, signal }), { userId });
 */
export async function saveToken(
  manager: TokenManager,
  response: TokenResponse & { readonly verified: VerifiedAccessToken },
  options: SsoCallOptions & { readonly userId?: string | undefined } = {},
): Promise<{ token: Token; updatedExisting: boolean }> {
  return guard(options.signal, 'token save', async () => {
    const { store } = manager;
    const v = response.verified;
    const now = manager.clock();
    const existing = await store.find({ characterId: v.characterId }, options);
    for (const old of existing) {
      if (old.ownerHash === v.ownerHash) continue;
      const removed = await deleteFormerOwners(store, old, v.ownerHash, options);
      if (removed) await reportRemoved(manager, removed, 'owner_changed');
    }
    const fields = {
      accessToken: response.accessToken,
      refreshToken: response.refreshToken,
      tokenType: response.tokenType,
      characterName: v.characterName,
      ownerHash: v.ownerHash,
      scopes: v.scopes,
      expiresAt: v.expiresAt,
    };
    if (!manager.alwaysCreateToken) {
      const userId = options.userId;
      const match = existing
        .filter(
          (t) =>
            t.ownerHash === v.ownerHash &&
            hasExactScopes(t, v.scopes) &&
            (userId === undefined || t.userId === undefined || t.userId === userId),
        )
        .at(-1);
      if (match !== undefined) {
        let base: Token | undefined = match;
        for (let attempt = 0; base !== undefined && attempt < 5; attempt++) {
          const updated = await store.update(
            base.id,
            base.version,
            { ...fields, userId: userId ?? base.userId },
            now,
            options,
          );
          if (updated !== undefined) return { token: updated, updatedExisting: true };
          base = await store.get(base.id, options);
        }
        if (base !== undefined)
          throw new TokenError(
            'ESIKIT_TOKEN_CONFLICT',
            `token ${match.id} kept changing while the login was saved`,
            { tokenId: match.id },
          );
      }
    }
    const token = await store.create(
      { ...fields, characterId: v.characterId, ssoVersion: 2, userId: options.userId },
      now,
      options,
    );
    return { token, updatedExisting: false };
  });
}

/**
 * Stores a token from a saved refresh token (EsiPy's `update_token` + `refresh`): refreshes it
 * at SSO once, verifies the result and saves it like a login would.
 *
 * @example
 * const token = await importRefreshToken(tokens, savedRefreshToken);
 * const access = await tokens.validAccessToken(token.id);
 */
export async function importRefreshToken(
  manager: TokenManager,
  refreshToken: string,
  options: SsoCallOptions & { readonly userId?: string; readonly scopes?: ScopesInput } = {},
): Promise<Token> {
  return guard(options.signal, 'refresh token import', async () => {
    const response = await manager.sso.refresh(refreshToken, options);
    return (await saveToken(manager, response, options)).token;
  });
}

function callbackParams(callback: CompleteLoginInput['callback']): URLSearchParams {
  if (callback instanceof URLSearchParams) return callback;
  if (callback instanceof URL) return callback.searchParams;
  if (typeof callback === 'string') {
    try {
      return new URL(callback).searchParams;
    } catch {
      return new URLSearchParams(callback.startsWith('?') ? callback.slice(1) : callback);
    }
  }
  throw new SsoOptionError(
    `callback must be the callback URL or its query parameters, got ${describe(callback)}`,
  );
}

function requireSessionKey(sessionKey: unknown): string {
  if (typeof sessionKey !== 'string' || sessionKey === '')
    throw new SsoOptionError(
      `sessionKey must be a non-empty string (the caller's session id), got ${describe(sessionKey)}`,
    );
  return sessionKey;
}

/** Constant-time string comparison (session keys are secrets). */
function sameString(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
