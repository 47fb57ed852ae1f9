import type { IncomingMessage, ServerResponse } from 'node:http';

import { authenticateClient } from './client-auth.js';
import type { SsoCore } from './core.js';
import { OAuthError, SsoVerifyError } from './errors.js';
import { param, readForm, requiredParam } from './http.js';

/**
 * `POST /v2/oauth/revoke` (RFC 7009). A refresh token takes its whole grant down with it: the
 * refresh token dies and the grant's access tokens stop verifying. An access token is revoked
 * alone. Unknown or already-dead tokens still get 200, as the RFC requires.
 */
export async function handleRevoke(
  core: SsoCore,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const form = await readForm(req);
  const { client } = authenticateClient(core, req, form);
  const token = requiredParam(form, 'token');
  // RFC 7009 §2.1: the hint only speeds up the lookup; a wrong or unknown hint is ignored.
  const hint = param(form, 'token_type_hint');
  const asRefresh = (): boolean => {
    const grant = core.grants.byRefreshToken(token);
    if (!grant) return false;
    if (grant.clientId !== client.clientId) {
      throw new OAuthError('invalid_request', 'the token was issued to another client');
    }
    core.grants.revoke(grant);
    core.count('revocations');
    return true;
  };
  const asAccess = async (): Promise<boolean> => {
    if (token.split('.').length !== 3) return false;
    try {
      const access = await core.verify(token);
      if (access.clientId !== client.clientId) {
        throw new OAuthError('invalid_request', 'the token was issued to another client');
      }
      core.grants.revokeAccessToken(access.jti, access.expiresAt);
      core.count('revocations');
      return true;
    } catch (e) {
      if (e instanceof SsoVerifyError) return false; // expired, revoked or not ours: nothing to do
      throw e;
    }
  };
  if (hint === 'access_token') {
    if (!(await asAccess())) asRefresh();
  } else if (!asRefresh()) {
    await asAccess();
  }
  res.writeHead(200, { 'content-length': 0, 'cache-control': 'no-store' });
  res.end();
}
