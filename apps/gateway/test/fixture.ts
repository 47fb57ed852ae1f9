// Test support: one simulator + one gateway (embedded in-memory database unless a URL is given)
// per test file, with its log captured so tests can look for secrets in it.
import pg from 'pg';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { startSimulator, type Simulator } from '@esikit/simulator';
import { loadConfig, type GatewayConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';

export function specFile(): string {
  return (
    process.env.ESI_SPEC_FILE ??
    fileURLToPath(new URL('../../../../shared/esi/openapi.json', import.meta.url))
  );
}

export interface TestGateway extends AsyncDisposable {
  readonly gw: Gateway;
  readonly sim: Simulator;
  /** Every log line the gateway wrote. */
  readonly logs: string[];
  readonly sessionSecret: string;
}

export async function startTestGateway(
  env: Record<string, string> = {},
  overrides: Partial<GatewayConfig> = {},
): Promise<TestGateway> {
  const sim = await startSimulator({ spec: specFile(), seed: 7 });
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const config = {
    ...loadConfig({
      PORT: '0',
      ESIKIT_DB_DIR: ':memory:',
      ESIKIT_HOUSEKEEPING_INTERVAL_S: '0',
      LOG_LEVEL: 'info',
      // The test run's cache (tooling/config/vitest.js), not the user's.
      ...(process.env.XDG_CACHE_HOME ? { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME } : {}),
      ...env,
    }),
    ...overrides,
  };
  try {
    const gw = await startGateway(config, { simulator: sim, logStream });
    return {
      gw,
      sim,
      logs,
      sessionSecret: config.sessionSecret,
      async [Symbol.asyncDispose]() {
        await gw.close();
        await sim.close();
      },
    };
  } catch (error) {
    await sim.close();
    throw error;
  }
}

/** Total of the simulator's citizenship counters. */
export function violations(sim: Simulator): number {
  return Object.values(sim.stats().violations).reduce((a, b) => a + b, 0);
}

/**
 * Moves the simulator's clock to one second into the next whole hour, where every ESI cache
 * window of up to an hour has just opened. An answer fetched in the last second before its
 * Expires gets no `max-age` (there is nothing left to share), so a test that expects one must
 * not depend on where in a window the wall clock happens to be.
 */
export function openFreshCacheWindows(sim: Simulator): void {
  const HOUR = 3_600_000;
  sim.clock.advance(HOUR - (sim.clock.now() % HOUR) + 1_000);
}

/** The PostgreSQL server the database tests use (trust auth on loopback, as in CI). */
export const TEST_PG_URL =
  process.env.ESIKIT_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Why PostgreSQL cannot be reached, or undefined when it can. */
export async function postgresProblem(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
