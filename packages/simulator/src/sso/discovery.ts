import type { IncomingMessage, ServerResponse } from 'node:http';

import type { SsoCore } from './core.js';
import { SsoVerifyError } from './errors.js';
import { sendJson } from './http.js';

/**
 * `/.well-known/oauth-authorization-server`, shaped like login.eveonline.com's, minus what the
 * simulator does not do (the implicit `token` response type, `client_secret_jwt`). The endpoints
 * are under the server's own URL; `issuer` is the configured issuer identifier.
 */
export function metadataDocument(baseUrl: string, issuer: string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${baseUrl}/v2/oauth/authorize`,
    token_endpoint: `${baseUrl}/v2/oauth/token`,
    userinfo_endpoint: `${baseUrl}/v2/oauth/verify`,
    response_types_supported: ['code'],
    jwks_uri: `${baseUrl}/oauth/jwks`,
    revocation_endpoint: `${baseUrl}/v2/oauth/revoke`,
    subject_types_supported: ['public'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    id_token_signing_alg_values_supported: ['HS256'],
    code_challenge_methods_supported: ['S256'],
  };
}

export function handleMetadata(core: SsoCore, res: ServerResponse, baseUrl: string): void {
  core.count('metadataRequests');
  sendJson(res, 200, metadataDocument(baseUrl, core.metadataIssuer(baseUrl)));
}

export function handleJwks(core: SsoCore, res: ServerResponse): void {
  core.count('jwksRequests');
  sendJson(res, 200, core.keys.jwks());
}

/**
 * `GET /v2/oauth/verify`, EVE's legacy token-info endpoint (the metadata's `userinfo_endpoint`).
 * Old libraries still call it instead of validating the JWT.
 */
export async function handleVerify(
  core: SsoCore,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) {
    sendJson(res, 401, {
      error: 'invalid_token',
      error_description: 'Authorization: Bearer <access token> required',
    });
    return;
  }
  try {
    const access = await core.verify(match[1]!);
    sendJson(res, 200, {
      CharacterID: access.characterId,
      CharacterName: access.characterName,
      ExpiresOn: new Date(access.expiresAt).toISOString().slice(0, 19),
      Scopes: access.scopes.join(' '),
      TokenType: 'Character',
      CharacterOwnerHash: access.ownerHash,
      IntellectualProperty: 'EVE',
    });
  } catch (e) {
    if (!(e instanceof SsoVerifyError)) throw e;
    sendJson(res, 401, { error: 'invalid_token', error_description: e.message });
  }
}
