import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OperationTable } from '@esikit/spec';
import type { SimulatorClock } from './clock.js';
import { SimulatorError } from './errors.js';
import { AuditLog, type AuditEntry, type SimulatorStats } from './internal/audit.js';
import { EsiHandler } from './internal/esi-handler.js';
import { type FaultConfig, FaultInjector } from './internal/faults.js';
import { BucketLimiter, ErrorLimiter } from './internal/limits.js';
import { ResourceResponder } from './internal/resources.js';
import { createUniverse } from './internal/universe.js';
import { baselineDate, defaultSpecSources, loadSpecs, SpecVersions } from './internal/versions.js';
import { checkPages, normalizeOptions, type SimulatorOptions } from './options.js';
import { type IssuedTokens, SsoServer } from './sso/index.js';
import {
  issueStoredToken,
  seedTokenStore,
  type SimStoredToken,
  type StoredTokenRequest,
  type TokenStoreLike,
} from './stored-tokens.js';
import type { SimCharacter, SsoClientRegistration } from './types.js';

/** A running simulator: ESI and SSO on loopback. Close it (or `await using` it) when done. */
export interface Simulator extends AsyncDisposable {
  /** ESI base URL, e.g. `http://127.0.0.1:41234` (routes are at `/characters/...`, no version prefix). */
  readonly esiUrl: string;
  /** SSO base URL (`/v2/oauth/token`, `/oauth/jwks`, `/.well-known/oauth-authorization-server`). */
  readonly ssoUrl: string;
  readonly clock: SimulatorClock;
  /** The universe's characters; any of them can log in. */
  readonly characters: readonly SimCharacter[];
  /** The registered SSO applications. */
  readonly clients: readonly SsoClientRegistration[];
  /** The compiled spec of the newest loaded version (what a client pinned at today gets). */
  readonly table: OperationTable;
  /**
   * Every loaded spec version, oldest first: `tables[0]` answers requests without
   * `X-Compatibility-Date`.
   */
  readonly tables: readonly OperationTable[];
  /** The SSO server, for SSO-specific controls (key rotation, character transfer, SSO faults). */
  readonly sso: SsoServer;
  /** Tokens for a character without the browser flow. `clientId` defaults to the first client. */
  issueTokens(input: {
    characterId: number;
    scopes: readonly string[];
    clientId?: string;
  }): Promise<IssuedTokens>;
  /**
   * Tokens for a character in the shape esikit's token stores take (core's `NewToken`).
   *
   * @example
   * const token = await sim.issueStoredToken({ characterId: pilot.id, scopes: ['esi-skills.read_skills.v1'], userId: 'u1' });
   * await store.create(token, sim.clock.now());
   */
  issueStoredToken(request: StoredTokenRequest): Promise<SimStoredToken>;
  /**
   * Logs each character in and `create`s the tokens in `store` (anything with
   * `create(token, now)`), in one call; `now` defaults to the simulator clock.
   *
   * @example
   * const [a, b] = await sim.seedTokenStore(new MemoryTokenStore(), [
   *   { characterId: sim.characters[0].id, scopes: ['esi-wallet.read_character_wallet.v1'], userId: 'alice' },
   *   { characterId: sim.characters[1].id, scopes: [], userId: 'bob' },
   * ]);
   */
  seedTokenStore<T>(
    store: TokenStoreLike<T>,
    logins: readonly StoredTokenRequest[],
    options?: { now?: number },
  ): Promise<T[]>;
  /** Counters: requests, statuses, 304s, faults and the four citizenship violations. */
  stats(): SimulatorStats;
  /** Every ESI request seen (bounded by `auditLimit`), oldest first. */
  audit(): AuditEntry[];
  /** Clears the audit log and the counters. */
  resetAudit(): void;
  /** Replaces the fault configuration; `setFaults({})` clears it. */
  setFaults(faults: FaultConfig): void;
  /** Changes `X-Pages` of page routes. */
  setPages(pages: number | Readonly<Record<string, number>>): void;
  close(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const { port: actual } = server.address() as AddressInfo;
      resolve(`http://${host.includes(':') ? `[${host}]` : host}:${actual}`);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Starts a local ESI + EVE SSO built from CCP's spec: every operation answers with
 * deterministic, schema-valid data, with ESI's caching headers, pagination, auth, error limit
 * and rate-limit buckets, optional faults, and an audit log that counts citizenship violations.
 *
 * @example
 * await using sim = await startSimulator({ seed: 42 });
 * const [pilot] = sim.characters;
 * const { access_token } = await sim.issueTokens({ characterId: pilot.id, scopes: ['esi-wallet.read_character_wallet.v1'] });
 * const res = await fetch(`${sim.esiUrl}/characters/${pilot.id}/wallet`, {
 *   headers: { authorization: `Bearer ${access_token}`, 'user-agent': 'MyApp/1.0 (me@example.com)' },
 * });
 * sim.stats().violations; // { cacheWindow: 0, afterErrorLimit: 0, duringRetryAfter: 0, missingUserAgent: 0 }
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const o = normalizeOptions(options);
  o.signal?.throwIfAborted();
  const specs = await loadSpecs(
    o.specs ?? (await defaultSpecSources()),
    o.specsOption,
    o.specs === undefined,
  );
  o.signal?.throwIfAborted();
  const tables = specs.map((s) => s.table);
  const table = tables[tables.length - 1]!;
  const operations = tables.flatMap((t) => t.operations);
  const minimum = o.oldestCompatibilityDate ?? baselineDate(tables);
  if (minimum > tables[0]!.compatibilityDate) {
    throw new SimulatorError(
      'ESIKIT_SIMULATOR_OPTION',
      `startSimulator: option "oldestCompatibilityDate" must not be later than the oldest loaded spec (${tables[0]!.compatibilityDate}), got "${minimum}"`,
    );
  }
  if (typeof o.pages === 'object') {
    for (const id of Object.keys(o.pages)) {
      if (!operations.some((op) => op.id === id && op.pagination === 'pages')) {
        throw new SimulatorError(
          'ESIKIT_SIMULATOR_OPTION',
          `startSimulator: option "pages.${id}" names no X-Pages operation of the spec`,
        );
      }
    }
  }
  if (typeof o.dataChangeRate === 'object') {
    for (const id of Object.keys(o.dataChangeRate)) {
      if (!tables.some((t) => t.operations.some((x) => x.id === id))) {
        throw new SimulatorError(
          'ESIKIT_SIMULATOR_OPTION',
          `startSimulator: option "dataChangeRate.${id}" names no operation of the spec`,
        );
      }
    }
  }
  const groups = new Set(operations.flatMap((op) => (op.rateLimit ? [op.rateLimit.group] : [])));
  for (const group of Object.keys(o.groups)) {
    if (!groups.has(group)) {
      throw new SimulatorError(
        'ESIKIT_SIMULATOR_OPTION',
        `startSimulator: option "limits.groups.${group}" names no rate-limit group of the spec (${[...groups].sort().join(', ')})`,
      );
    }
  }
  const universe = createUniverse(o.seed);
  const characters = universe.characters as SimCharacter[];
  let sso: SsoServer;
  try {
    sso = new SsoServer({
      ...o.sso,
      clock: o.clock,
      characters,
      clients: o.clients,
      seed: o.seed,
      // A token may carry any scope some loaded version knows.
      scopes: [...new Set(tables.flatMap((t) => t.scopes))].sort(),
    });
  } catch (e) {
    // One error type and one naming scheme for every option of startSimulator.
    const message = (e as Error).message
      .replace('SsoServer: option "clients', 'startSimulator: option "clients')
      .replace('SsoServer: option "', 'startSimulator: option "sso.');
    throw new SimulatorError('ESIKIT_SIMULATOR_OPTION', message, { cause: e });
  }
  // RSA key generation is most of the start-up time; it runs on the thread pool meanwhile.
  const keysReady = sso.init();
  keysReady.catch(() => undefined); // awaited below; this only keeps an early failure handled

  const faults = new FaultInjector();
  faults.set(o.faults);
  const audit = new AuditLog(o.auditLimit);
  // Cursor and from_id streams start at the day's beginning: a day of history, then live events.
  const anchor = Math.floor(o.clock.now() / 86_400_000) * 86_400_000;
  const versions = new SpecVersions(specs, universe, anchor, o.clock, minimum);
  const resources = new ResourceResponder({
    clock: o.clock,
    faults,
    seed: o.seed,
    pages: o.pages,
    dataChangeRate: o.dataChangeRate,
  });
  const handler = new EsiHandler({
    versions,
    resources,
    clock: o.clock,
    verify: (token) => sso.verifyAccessToken(token),
    errors: new ErrorLimiter(o.clock, o.errorLimit, o.errorWindowSeconds),
    buckets: new BucketLimiter(o.clock, o.groups),
    audit,
    faults,
    latencyMs: o.latencyMs,
  });

  const onError = (res: ServerResponse) => (e: unknown) => {
    if (!res.headersSent) {
      res.statusCode = 500;
      res.end(
        JSON.stringify({
          error: `simulator failure: ${e instanceof Error ? e.message : String(e)}`,
        }),
      );
    } else res.destroy();
  };
  const esi = createServer({ keepAlive: true }, (req: IncomingMessage, res: ServerResponse) => {
    handler.handle(req, res).catch(onError(res));
  });
  const ssoHttp = createServer({ keepAlive: true }, (req: IncomingMessage, res: ServerResponse) => {
    sso.handle(req, res).catch(onError(res));
  });
  const esiUrl = await listen(esi, o.host, o.esiPort);
  let ssoUrl: string;
  try {
    ssoUrl = await listen(ssoHttp, o.host, o.ssoPort);
  } catch (e) {
    await closeServer(esi);
    throw e;
  }
  sso.setBaseUrl(ssoUrl);
  try {
    await keysReady;
  } catch (e) {
    await Promise.all([closeServer(esi), closeServer(ssoHttp)]);
    throw e;
  }

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= Promise.all([closeServer(esi), closeServer(ssoHttp)]).then(() => undefined));
  if (o.signal) {
    if (o.signal.aborted) {
      await close();
      throw o.signal.reason;
    }
    o.signal.addEventListener('abort', () => void close(), { once: true });
  }
  return {
    esiUrl,
    ssoUrl,
    clock: o.clock,
    characters,
    clients: o.clients,
    table,
    tables,
    sso,
    issueTokens: (input) => sso.issueTokens(input),
    issueStoredToken: (request) => issueStoredToken(sso, request),
    seedTokenStore: (store, logins, options = {}) =>
      seedTokenStore(sso, store, logins, options.now ?? o.clock.now()),
    stats: () => audit.stats(),
    audit: () => audit.entries(),
    resetAudit: () => audit.reset(),
    setFaults: (f) => faults.set(f),
    setPages: (pages) => {
      resources.setPages(checkPages(pages));
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
