import type { IncomingMessage, ServerResponse } from 'node:http';

import type { SimCharacter } from '../types.js';
import { handleAuthorize } from './authorize-endpoint.js';
import type { IssuedTokens, SsoStats, VerifiedAccess } from './core.js';
import { SsoCore } from './core.js';
import { handleJwks, handleMetadata, handleVerify } from './discovery.js';
import { OAuthError } from './errors.js';
import type { FaultTarget, SsoFaults } from './faults.js';
import { FaultInjector } from './faults.js';
import { sendJson, sendOAuthError } from './http.js';
import type { SsoServerOptions } from './options.js';
import { normalizeOptions } from './options.js';
import { handleRevoke } from './revoke-endpoint.js';
import { handleToken } from './token-endpoint.js';

export type { IssuedTokens, SsoStats, VerifiedAccess } from './core.js';
export { SsoVerifyError } from './errors.js';
export type { SsoVerifyReason } from './errors.js';
export type { Fault, FaultTarget, SsoFailNext, SsoFaults, SsoFaultStatus } from './faults.js';
export type { JwksDocument } from './keys.js';
export type { SsoServerOptions } from './options.js';

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

/**
 * A simulated login.eveonline.com: OAuth 2.0 authorization code flow (client secret or PKCE),
 * rotating refresh tokens, revocation, RS256 access tokens with EVE's claims, a JWKS with key
 * rotation, and injectable faults. It does not listen itself: serve `handle` on any
 * `node:http` server and tell it its URL with `setBaseUrl`.
 *
 * @example
 * const sso = new SsoServer({ clock, characters, clients: [{ clientId: 'app', clientSecret: 's' }] });
 * await sso.init();
 * const server = http.createServer((req, res) => void sso.handle(req, res)).listen(0, '127.0.0.1');
 * sso.setBaseUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
 * const { access_token } = await sso.issueTokens({ characterId: 2117712894, scopes: ['publicData'] });
 * const who = await sso.verifyAccessToken(access_token); // { characterId: 2117712894, ... }
 */
export class SsoServer {
  readonly #core: SsoCore;
  readonly #faults: FaultInjector;
  #baseUrl: string | undefined;
  readonly #routes: ReadonlyMap<string, Readonly<Partial<Record<string, Route>>>>;

  constructor(options: SsoServerOptions) {
    this.#core = new SsoCore(normalizeOptions(options));
    const core = this.#core;
    this.#faults = new FaultInjector(core.options.clock);
    const faulty =
      (target: FaultTarget, route: Route): Route =>
      async (req, res, url) => {
        if (await this.#faults.apply(target, req, res)) {
          core.count('faultsInjected');
          return;
        }
        await route(req, res, url);
      };
    const authorize: Route = (req, res, url) => handleAuthorize(core, req, res, url);
    this.#routes = new Map<string, Partial<Record<string, Route>>>([
      [
        '/.well-known/oauth-authorization-server',
        { GET: faulty('metadata', (req, res) => handleMetadata(core, res, this.#base(req))) },
      ],
      ['/oauth/jwks', { GET: faulty('jwks', (_req, res) => handleJwks(core, res)) }],
      ['/v2/oauth/authorize', { GET: authorize, POST: authorize }],
      ['/v2/oauth/token', { POST: faulty('token', (req, res) => handleToken(core, req, res)) }],
      ['/v2/oauth/revoke', { POST: faulty('revoke', (req, res) => handleRevoke(core, req, res)) }],
      ['/v2/oauth/verify', { GET: (req, res) => handleVerify(core, req, res) }],
    ]);
  }

  /** The characters that can log in (the same objects the options passed in). */
  get characters(): readonly SimCharacter[] {
    return this.#core.options.characters;
  }

  /** Generates the signing keys: RS256 `JWT-Signature-Key` and a published-only ES256 key. */
  async init(): Promise<void> {
    await this.#core.keys.init();
  }

  /** The SSO's own origin (e.g. `http://127.0.0.1:41234`), used in the metadata document. */
  setBaseUrl(url: string): void {
    if (typeof url !== 'string' || !URL.canParse(url)) {
      throw new TypeError(
        `SsoServer.setBaseUrl(url): url must be an absolute URL, got ${String(url)}`,
      );
    }
    this.#baseUrl = url.replace(/\/+$/, '');
    this.#core.baseUrl = this.#baseUrl;
  }

  /**
   * Serves every SSO route; unknown paths get a 404 JSON body. Never rejects: failures become
   * responses, so it can be passed to `http.createServer` as is.
   */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://sso.invalid');
      const methods = this.#routes.get(url.pathname);
      const route = methods?.[req.method ?? 'GET'];
      if (!methods) {
        sendJson(res, 404, {
          error: 'not_found',
          error_description: `no SSO route ${url.pathname}`,
        });
      } else if (!route) {
        res.setHeader('allow', Object.keys(methods).join(', '));
        sendJson(res, 405, {
          error: 'method_not_allowed',
          error_description: `${req.method} is not allowed on ${url.pathname}`,
        });
      } else {
        await route(req, res, url);
      }
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
      } else if (e instanceof OAuthError) {
        sendOAuthError(res, e);
      } else {
        const message = e instanceof Error ? e.message : String(e);
        sendJson(res, 500, {
          error: 'server_error',
          error_description: `SSO simulator failure: ${message}`,
        });
      }
    }
  }

  /**
   * Logs a character in without the browser dance: a fresh grant for `clientId` (default: the
   * first registered client) with these scopes, as if a code had just been exchanged.
   */
  async issueTokens(input: {
    characterId: number;
    scopes: readonly string[];
    clientId?: string;
  }): Promise<IssuedTokens> {
    const core = this.#core;
    const character = core.character(input.characterId);
    if (!character) {
      throw new TypeError(
        `SsoServer.issueTokens: no character with id ${String(input.characterId)}`,
      );
    }
    const clientId = input.clientId ?? core.options.clients.keys().next().value;
    if (clientId === undefined) {
      throw new TypeError(
        'SsoServer.issueTokens: no clients are registered; pass "clients" to the constructor',
      );
    }
    if (!core.client(clientId)) {
      throw new TypeError(`SsoServer.issueTokens: unknown clientId ${JSON.stringify(clientId)}`);
    }
    if (!Array.isArray(input.scopes) || input.scopes.some((s) => typeof s !== 'string')) {
      throw new TypeError(
        `SsoServer.issueTokens: scopes must be an array of scope names, got ${JSON.stringify(input.scopes)}`,
      );
    }
    const refused = core.refusedScopes(clientId, input.scopes);
    if (refused.length > 0) {
      throw new TypeError(
        `SsoServer.issueTokens: scope ${JSON.stringify(refused[0])} is unknown or not registered for client ${JSON.stringify(clientId)}`,
      );
    }
    const grant = core.grants.addGrant({
      characterId: character.id,
      clientId,
      scopes: [...new Set(input.scopes)],
      ownerHash: character.ownerHash,
    });
    return core.issue(grant, grant.scopes);
  }

  /**
   * Checks an access token as ESI would: RS256 signature by a published key, `exp` against the
   * simulator clock, `aud` containing "EVE Online", and not revoked.
   * @throws {SsoVerifyError} with `reason` malformed | signature | expired | audience | revoked
   */
  async verifyAccessToken(token: string): Promise<VerifiedAccess> {
    return this.#core.verify(token);
  }

  /**
   * Signs from now on with a new RS256 key under a new kid. The old key stays published (and
   * its tokens valid) for `rotatedKeyGraceSeconds`, or is dropped at once with `dropPrevious`.
   * Resolves to the new kid.
   */
  async rotateSigningKey(options: { dropPrevious?: boolean } = {}): Promise<string> {
    return this.#core.keys.rotate(options.dropPrevious === true);
  }

  /** Makes the authorize endpoint consent at once as this character; `undefined` shows the page again. */
  setAutoConsent(characterId: number | undefined): void {
    if (characterId !== undefined && !this.#core.character(characterId)) {
      throw new TypeError(`SsoServer.setAutoConsent: no character with id ${String(characterId)}`);
    }
    this.#core.autoConsent = characterId;
  }

  /** Replaces the injected faults; `setFaults({})` clears them. */
  setFaults(faults: SsoFaults): void {
    this.#faults.set(faults);
  }

  /**
   * The character is sold to another account: it gets a new owner hash, and every refresh
   * token issued before dies (`invalid_grant`). Access tokens run out on their own, as on EVE.
   */
  transferCharacter(characterId: number): void {
    const character = this.#core.character(characterId);
    if (!character) {
      throw new TypeError(
        `SsoServer.transferCharacter: no character with id ${String(characterId)}`,
      );
    }
    let next = this.#core.ids.ownerHash();
    while (next === character.ownerHash) next = this.#core.ids.ownerHash();
    character.ownerHash = next;
    this.#core.grants.endCharacterRefresh(characterId);
  }

  /** A snapshot of the counters. */
  stats(): SsoStats {
    return this.#core.stats();
  }

  #base(req: IncomingMessage): string {
    // Without setBaseUrl, describe ourselves as the caller reached us.
    return this.#baseUrl ?? `http://${req.headers.host ?? '127.0.0.1'}`;
  }
}
