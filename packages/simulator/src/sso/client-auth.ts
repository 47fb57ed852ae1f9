import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import type { SsoClientRegistration } from '../types.js';
import type { SsoCore } from './core.js';
import { OAuthError } from './errors.js';
import { basicCredentials, param } from './http.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

const CHALLENGE = { 'www-authenticate': 'Basic realm="EVE SSO"' };

function invalidClient(description: string): OAuthError {
  return new OAuthError('invalid_client', description, 401, CHALLENGE);
}

/**
 * Identifies the calling application at the token and revoke endpoints: HTTP Basic
 * (`client_secret_basic`), `client_id` + `client_secret` in the body (`client_secret_post`), or,
 * for a public client, `client_id` alone (it proves itself with PKCE instead).
 */
export function authenticateClient(
  core: SsoCore,
  req: IncomingMessage,
  form: URLSearchParams,
): { client: SsoClientRegistration; method: ClientAuthMethod } {
  const basic = basicCredentials(req);
  const bodyId = param(form, 'client_id');
  const bodySecret = param(form, 'client_secret');
  if (basic && bodySecret !== undefined) {
    throw new OAuthError(
      'invalid_request',
      'use one client authentication method: HTTP Basic or client_secret, not both',
    );
  }
  if (basic && bodyId !== undefined && bodyId !== basic.id) {
    throw new OAuthError(
      'invalid_request',
      'client_id in the body differs from the HTTP Basic client id',
    );
  }
  const id = basic?.id ?? bodyId;
  if (id === undefined || id === '') {
    throw invalidClient('client authentication required: send HTTP Basic credentials or client_id');
  }
  const client = core.client(id);
  if (!client) throw invalidClient(`unknown client_id ${JSON.stringify(id)}`);
  const secret = basic ? basic.secret : bodySecret;
  if (client.clientSecret === undefined) {
    // Public clients have nothing to prove here; an empty Basic password is how some libraries say so.
    if (secret !== undefined && secret !== '') {
      throw invalidClient(
        `client ${JSON.stringify(id)} is public (PKCE) and has no secret, but one was sent`,
      );
    }
    return { client, method: 'none' };
  }
  if (secret === undefined || secret === '') {
    throw invalidClient(`client ${JSON.stringify(id)} must authenticate with its secret`);
  }
  if (!sameSecret(secret, client.clientSecret)) {
    throw invalidClient(`wrong client secret for client ${JSON.stringify(id)}`);
  }
  return { client, method: basic ? 'client_secret_basic' : 'client_secret_post' };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
