import type { IncomingMessage, ServerResponse } from 'node:http';

import type { SimCharacter, SsoClientRegistration } from '../types.js';
import { renderConsentPage, renderErrorPage } from './consent-page.js';
import type { SsoCore } from './core.js';
import { OAuthError } from './errors.js';
import { param, readForm, sendHtml, sendJson, wantsJson } from './http.js';

/** A validated authorization request. */
export interface AuthorizeRequest {
  readonly client: SsoClientRegistration;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly state: string;
  readonly codeChallenge: string | undefined;
  /** The request's parameters, echoed into the consent form so the POST can re-validate them. */
  readonly params: readonly (readonly [string, string])[];
}

/** The parameters an authorization request carries; anything else is not echoed. */
const REQUEST_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
] as const;

const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * `GET|POST /v2/oauth/authorize`. GET validates and either consents automatically (auto-consent,
 * or `esikit_character=<id>` for scripts) or shows the character picker; the picker POSTs back
 * here with `character_id` (or `deny`). Consent ends in a 302 to `redirect_uri?code=…&state=…`.
 */
export async function handleAuthorize(
  core: SsoCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  core.count('authorize');
  try {
    const post = req.method === 'POST';
    const params = post ? await readForm(req) : url.searchParams;
    const request = validateAuthorizeRequest(core, params);
    if (post && param(params, 'deny') !== undefined) {
      redirect(res, request.redirectUri, { error: 'access_denied', state: request.state });
      return;
    }
    const chosen = post
      ? param(params, 'character_id')
      : (param(params, 'esikit_character') ?? autoConsent(core));
    if (chosen === undefined) {
      sendHtml(res, 200, renderConsentPage(request, core.options.characters, url.pathname));
      return;
    }
    const character = findCharacter(core, chosen, post ? 'character_id' : 'esikit_character');
    const code = core.grants.addCode(
      {
        clientId: request.client.clientId,
        redirectUri: request.redirectUri,
        scopes: request.scopes,
        characterId: character.id,
        codeChallenge: request.codeChallenge,
        expiresAt: core.options.clock.now() + core.options.authorizationCodeTtlSeconds * 1000,
      },
      core.options.clock.now(),
    );
    core.count('codesIssued');
    redirect(res, request.redirectUri, { code: code.code, state: request.state });
  } catch (e) {
    if (!(e instanceof OAuthError)) throw e;
    // Never redirect an error: before the client and redirect_uri check out, the URI is not
    // trusted, and a plain 400 tells a developer what was wrong without a round trip.
    if (wantsJson(req)) sendJson(res, e.status, { error: e.error, error_description: e.message });
    else sendHtml(res, e.status, renderErrorPage(e.error, e.message));
  }
}

function autoConsent(core: SsoCore): string | undefined {
  return core.autoConsent === undefined ? undefined : String(core.autoConsent);
}

function findCharacter(core: SsoCore, raw: string, name: string): SimCharacter {
  const id = /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : NaN;
  const character = Number.isSafeInteger(id) ? core.character(id) : undefined;
  if (!character)
    throw new OAuthError('invalid_request', `${name}: no character with id ${JSON.stringify(raw)}`);
  return character;
}

function redirect(res: ServerResponse, target: string, query: Record<string, string>): void {
  const location = new URL(target);
  for (const [k, v] of Object.entries(query)) location.searchParams.set(k, v);
  res.writeHead(302, { location: location.href, 'cache-control': 'no-store', 'content-length': 0 });
  res.end();
}

/** Checks an authorization request the way EVE's SSO does; every error names the parameter. */
export function validateAuthorizeRequest(core: SsoCore, params: URLSearchParams): AuthorizeRequest {
  const get = (name: string): string | undefined => param(params, name);
  const clientId = get('client_id');
  if (!clientId) throw new OAuthError('invalid_request', 'client_id is required');
  const client = core.client(clientId);
  if (!client)
    throw new OAuthError('unauthorized_client', `unknown client_id ${JSON.stringify(clientId)}`);

  const redirectUri = get('redirect_uri');
  if (!redirectUri) throw new OAuthError('invalid_request', 'redirect_uri is required');
  if (!URL.canParse(redirectUri) || !/^[a-z][a-z0-9+.-]*:/i.test(redirectUri)) {
    throw new OAuthError(
      'invalid_request',
      `redirect_uri ${JSON.stringify(redirectUri)} is not an absolute URL`,
    );
  }
  const registered = client.redirectUris ?? [];
  if (registered.length > 0 && !registered.includes(redirectUri)) {
    // EVE's words (v2 SSO): the registered callback is compared exactly.
    throw new OAuthError(
      'invalid_request',
      'The redirect URL does not match any of the configured values for this client.',
    );
  }

  const responseType = get('response_type');
  if (responseType !== 'code') {
    throw new OAuthError(
      'unsupported_response_type',
      `response_type must be "code", got ${responseType === undefined ? 'none' : JSON.stringify(responseType)}`,
    );
  }
  const state = get('state');
  if (!state)
    throw new OAuthError('invalid_request', 'state is required (it protects the login from CSRF)');

  const scopes = [...new Set((get('scope') ?? '').split(' ').filter((s) => s !== ''))];
  // EVE names the first scope it refuses, whether unknown or not registered for the app.
  const refused = core.refusedScopes(clientId, scopes);
  if (refused.length > 0)
    throw new OAuthError('invalid_scope', `The requested '${refused[0]}' scope is not valid.`);

  const codeChallenge = get('code_challenge');
  const method = get('code_challenge_method');
  if (codeChallenge === undefined) {
    if (method !== undefined)
      throw new OAuthError('invalid_request', 'code_challenge_method without code_challenge');
    if (client.clientSecret === undefined) {
      throw new OAuthError(
        'invalid_request',
        `client ${JSON.stringify(clientId)} has no secret, so it must use PKCE: code_challenge and code_challenge_method=S256 are required`,
      );
    }
  } else {
    if (method !== 'S256') {
      throw new OAuthError(
        'invalid_request',
        `code_challenge_method must be "S256", got ${method === undefined ? 'none' : JSON.stringify(method)}`,
      );
    }
    if (!CHALLENGE.test(codeChallenge)) {
      throw new OAuthError(
        'invalid_request',
        'code_challenge must be a base64url SHA-256 digest (43 characters)',
      );
    }
  }
  const echoed = REQUEST_PARAMS.flatMap((name) => {
    const value = get(name);
    return value === undefined ? [] : [[name, value] as const];
  });
  return { client, redirectUri, scopes, state, codeChallenge, params: echoed };
}
