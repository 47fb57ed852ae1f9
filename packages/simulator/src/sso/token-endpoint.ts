import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { SsoClientRegistration } from '../types.js';
import { authenticateClient } from './client-auth.js';
import type { IssuedTokens, SsoCore } from './core.js';
import { OAuthError } from './errors.js';
import { param, readForm, requiredParam, sendJson } from './http.js';

/** RFC 7636 §4.1: 43–128 characters of the unreserved set. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** `POST /v2/oauth/token`. Errors are thrown as {@link OAuthError} and counted by `error`. */
export async function handleToken(
  core: SsoCore,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let tokens: IssuedTokens;
  try {
    const form = await readForm(req);
    const { client } = authenticateClient(core, req, form);
    const grantType = requiredParam(form, 'grant_type');
    switch (grantType) {
      case 'authorization_code':
        tokens = await exchangeCode(core, client, form);
        break;
      case 'refresh_token':
        tokens = await refresh(core, client, form);
        break;
      default:
        throw new OAuthError(
          'unsupported_grant_type',
          `grant_type ${JSON.stringify(grantType)} is not supported (authorization_code, refresh_token)`,
        );
    }
  } catch (e) {
    if (e instanceof OAuthError) core.countTokenError(e.error);
    throw e;
  }
  sendJson(res, 200, tokens, { 'cache-control': 'no-store', pragma: 'no-cache' });
}

async function exchangeCode(
  core: SsoCore,
  client: SsoClientRegistration,
  form: URLSearchParams,
): Promise<IssuedTokens> {
  const code = requiredParam(form, 'code');
  const redirectUri = param(form, 'redirect_uri');
  const verifier = param(form, 'code_verifier');
  const record = core.grants.code(code);
  if (!record) throw new OAuthError('invalid_grant', 'authorization code is unknown or expired');
  if (record.grantId !== undefined) {
    // RFC 6749 §4.1.2: a replayed code may mean it leaked; the tokens it bought die with it.
    const grant = core.grants.grant(record.grantId);
    if (grant) core.grants.revoke(grant);
    throw new OAuthError(
      'invalid_grant',
      'authorization code was already used; tokens issued for it are now revoked',
    );
  }
  if (record.expiresAt <= core.options.clock.now()) {
    throw new OAuthError('invalid_grant', 'authorization code has expired');
  }
  if (record.clientId !== client.clientId) {
    throw new OAuthError('invalid_grant', 'authorization code was issued to another client');
  }
  // EVE's documented exchange omits redirect_uri, so only a different one is an error.
  if (redirectUri !== undefined && redirectUri !== record.redirectUri) {
    throw new OAuthError(
      'invalid_grant',
      'redirect_uri does not match the one in the authorization request',
    );
  }
  if (record.codeChallenge !== undefined) {
    if (verifier === undefined) {
      throw new OAuthError(
        'invalid_grant',
        'code_verifier is required: the authorization request used PKCE',
      );
    }
    if (!VERIFIER.test(verifier)) {
      throw new OAuthError(
        'invalid_grant',
        'code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~',
      );
    }
    if (createHash('sha256').update(verifier).digest('base64url') !== record.codeChallenge) {
      throw new OAuthError(
        'invalid_grant',
        'code_verifier does not match the code_challenge (S256)',
      );
    }
  } else if (verifier !== undefined) {
    throw new OAuthError(
      'invalid_grant',
      'code_verifier sent, but the authorization request had no code_challenge',
    );
  }
  const character = core.character(record.characterId);
  if (!character)
    throw new OAuthError('invalid_grant', 'the character of this code no longer exists');
  const grant = core.grants.addGrant({
    characterId: character.id,
    clientId: client.clientId,
    scopes: record.scopes,
    ownerHash: character.ownerHash,
  });
  record.grantId = grant.id;
  core.count('codeExchanges');
  return core.issue(grant, grant.scopes);
}

async function refresh(
  core: SsoCore,
  client: SsoClientRegistration,
  form: URLSearchParams,
): Promise<IssuedTokens> {
  const token = requiredParam(form, 'refresh_token');
  const requested = param(form, 'scope');
  const grant = core.grants.byRefreshToken(token);
  if (!grant) {
    throw new OAuthError(
      'invalid_grant',
      'refresh token is invalid, revoked, or was already used (they rotate)',
    );
  }
  if (grant.clientId !== client.clientId) {
    throw new OAuthError('invalid_grant', 'refresh token was issued to another client');
  }
  const character = core.character(grant.characterId);
  if (!character || character.ownerHash !== grant.ownerHash) {
    core.grants.endRefresh(grant);
    throw new OAuthError(
      'invalid_grant',
      'the character has changed owner since this refresh token was issued',
    );
  }
  let scopes = grant.scopes;
  if (requested !== undefined) {
    const names = [...new Set(requested.split(' ').filter((s) => s !== ''))];
    if (names.length === 0) {
      throw new OAuthError('invalid_scope', 'scope is empty; omit it to keep the granted scopes');
    }
    const extra = names.filter((s) => !grant.scopes.includes(s));
    if (extra.length > 0) {
      throw new OAuthError(
        'invalid_scope',
        `scope not granted to this refresh token: ${extra.join(' ')}`,
      );
    }
    scopes = names;
  }
  // The refresh token keeps the full grant (RFC 6749 §6); only this access token is narrowed.
  core.grants.rotate(grant);
  grant.refreshes += 1;
  core.countRefresh(grant.characterId);
  return core.issue(grant, scopes);
}
