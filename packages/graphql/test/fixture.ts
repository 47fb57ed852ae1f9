// Test setup: the simulator as ESI (frozen clock), a client and a token manager on it, and a
// Yoga server with useEsi over real HTTP on loopback.
import { createServer, type Server } from 'node:http';
import { afterEach, expect } from 'vitest';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createYoga } from 'graphql-yoga';
import { createEsiClient, type EsiClientOptions, type EsiClientWithTags } from '@esikit/core';
import { createSso, MemoryTokenStore, TokenManager } from '@esikit/core/sso';
import {
  DEFAULT_CLIENT,
  NO_VIOLATIONS,
  SimulatorClock,
  startSimulator,
  type Simulator,
  type SimulatorOptions,
} from '@esikit/simulator';
import { createEsiSchema, useEsi, type EsiSchema, type UseEsiOptions } from '../src/index.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function specPath(envValue: string | undefined, fallback: string): string {
  if (envValue) {
    const found = [resolve(envValue), resolve(repoRoot, envValue)].find((c) => existsSync(c));
    if (found) return found;
  }
  return fileURLToPath(new URL(`../../../../shared/esi/${fallback}`, import.meta.url));
}

/** CCP's spec (ESI_SPEC_FILE or the shared copy) and the older shared one. */
export const SPEC_FILE = specPath(process.env.ESI_SPEC_FILE, 'openapi.json');
export const OLD_SPEC_FILE = resolve(SPEC_FILE, '..', 'openapi-2025-12-16.json');

/** One second after a whole hour: every cache window has just started. */
export const T0 = Date.UTC(2026, 10, 22, 12, 0, 1);

export const APP = {
  appInfo: { name: 'esikit-graphql-tests', version: '1.0.0' },
  contactEmail: 'tests@esikit.invalid',
} as const;

/** Answers are loose JSON: tests read into them freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface GraphQLResponse {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, Loose> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, Loose> }[];
    extensions?: Record<string, Loose>;
  };
}

export interface Harness extends AsyncDisposable {
  readonly sim: Simulator;
  readonly esi: EsiClientWithTags;
  readonly tokens: TokenManager;
  readonly esiSchema: EsiSchema;
  /** The GraphQL endpoint. */
  readonly url: string;
  /** POSTs a query as `user` (the `x-user` header), like any GraphQL client. */
  query(
    query: string,
    options?: {
      user?: string;
      variables?: Record<string, unknown>;
      extensions?: Record<string, unknown>;
    },
  ): Promise<GraphQLResponse>;
  /** ESI requests the simulator saw (all, or for one operation). */
  esiRequests(operationId?: string): number;
  close(): Promise<void>;
}

export async function harness(
  simOptions: SimulatorOptions = {},
  pluginOptions: Partial<UseEsiOptions> = {},
  clientOptions: EsiClientOptions = {},
): Promise<Harness> {
  const clock = new SimulatorClock();
  clock.freeze(T0);
  const sim = await startSimulator({ spec: SPEC_FILE, clock, ...simOptions });
  const now = (): number => sim.clock.now();
  const esi = createEsiClient({
    ...APP,
    baseUrl: sim.esiUrl,
    clock: now,
    retries: { backoffFactor: 0.001 },
    ...clientOptions,
  });
  const sso = createSso({
    clientId: DEFAULT_CLIENT.clientId,
    clientSecret: DEFAULT_CLIENT.clientSecret!,
    callbackUrl: 'http://127.0.0.1:9/callback',
    ssoUrl: sim.ssoUrl,
    clock: now,
  });
  const tokens = new TokenManager({ sso, store: new MemoryTokenStore() });
  const esiSchema = await createEsiSchema({
    esi,
    tokens,
    clock: now,
    pollIntervalMs: 20,
    ...pluginOptions,
  });
  const yoga = createYoga({
    plugins: [
      useEsi({
        schema: esiSchema,
        user: ({ request }) => request.headers.get('x-user') ?? undefined,
        ...pluginOptions,
      }),
    ],
    logging: process.env.YOGA_DEBUG ? 'debug' : false,
  });
  // Yoga's node handler is a request listener that returns a promise; node ignores it.
  const server: Server = createServer((req, res) => void yoga(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await esi.close();
    await sim.close();
  };
  return {
    sim,
    esi,
    tokens,
    esiSchema,
    url,
    async query(query, options = {}) {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...(options.user !== undefined ? { 'x-user': options.user } : {}),
        },
        body: JSON.stringify({
          query,
          ...(options.variables ? { variables: options.variables } : {}),
          ...(options.extensions ? { extensions: options.extensions } : {}),
        }),
      });
      return {
        status: res.status,
        headers: res.headers,
        body: (await res.json()) as GraphQLResponse['body'],
      };
    },
    esiRequests: (operationId) =>
      sim.audit().filter((e) => operationId === undefined || e.operationId === operationId).length,
    close,
    [Symbol.asyncDispose]: close,
  };
}

// Test files import it from here with the rest of their setup.
export { NO_VIOLATIONS };

/**
 * A `harness` per test: each is closed after its test, once the simulator's audit showed no
 * citizenship violation.
 */
export function harnessPerTest(): (...args: Parameters<typeof harness>) => Promise<Harness> {
  let open: Harness | undefined;
  afterEach(async () => {
    const h = open;
    open = undefined;
    if (!h) return;
    try {
      expect(h.sim.stats().violations).toEqual(NO_VIOLATIONS);
    } finally {
      await h.close();
    }
  });
  return async (...args) => (open = await harness(...args));
}
