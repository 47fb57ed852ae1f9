// Two gateway processes on one PostgreSQL database, as an operator scales out: both start at
// once on an empty database (migrations and the gateway's own tables made concurrently), and
// their housekeeping runs never overlap — one runs, the other skips — whichever is asked first.
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@esikit/simulator';
import { loadConfig } from './config.js';
import { startGateway, type Gateway } from './gateway.js';
import { Browserless } from './internal/browserless.js';
import { postgresProblem, specFile, TEST_PG_URL, violations } from '../test/fixture.js';

const PG = TEST_PG_URL;
const DB = `esikit_two_gateways_${process.pid}`;

const problem = await postgresProblem();
if (problem && process.env.CI) throw new Error(`PostgreSQL is required under CI: ${problem}`);
if (problem) console.warn(`two-gateways.test.ts skipped: PostgreSQL unreachable (${problem})`);

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

describe.skipIf(problem !== undefined)('two gateways on one database', () => {
  let sim: Simulator;
  let a: Gateway;
  let b: Gateway;
  const logs: string[] = [];

  beforeAll(async () => {
    await admin(`drop database if exists ${DB} with (force)`);
    await admin(`create database ${DB}`);
    sim = await startSimulator({ spec: specFile(), seed: 7 });
    const url = new URL(PG);
    url.pathname = `/${DB}`;
    const config = loadConfig({
      PORT: '0',
      DATABASE_URL: url.href,
      ESIKIT_DB_MIGRATE: '1',
      ESIKIT_HOUSEKEEPING_INTERVAL_S: '0',
      SESSION_SECRET: 'two-gateways-test-session-secret-0123456789',
      LOG_LEVEL: 'info',
    });
    const logStream = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    // At the same moment, on a database with no table yet.
    [a, b] = await Promise.all([
      startGateway(config, { simulator: sim, logStream }),
      startGateway(config, { simulator: sim, logStream }),
    ]);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await sim?.close();
    await admin(`drop database if exists ${DB} with (force)`);
  });

  it('share sessions and tokens: a login on one is seen by the other', async () => {
    const user = new Browserless(a.url);
    sim.sso.setAutoConsent(sim.characters[0]!.id);
    await user.login();
    const onB = new Browserless(b.url);
    onB.cookie = user.cookie;
    expect(await onB.home()).toContain(sim.characters[0]!.name);
  });

  it('never run housekeeping at the same time', async () => {
    // A slow token endpoint and an expired token make every run long enough to overlap.
    sim.clock.advance(25 * 60_000);
    sim.sso.setFaults({ token: { latencyMs: 400 } });
    try {
      for (let round = 0; round < 3; round++) {
        const [x, y] = await Promise.all([a.housekeeping.run(), b.housekeeping.run()]);
        expect([x.ran, y.ran].filter(Boolean)).toHaveLength(1);
        sim.clock.advance(25 * 60_000);
      }
    } finally {
      sim.sso.setFaults({});
    }
    const runs = logs.filter((l) => l.includes('"job":"housekeeping"'));
    expect(runs.filter((l) => l.includes('housekeeping done'))).toHaveLength(3);
    expect(runs.filter((l) => l.includes('another run holds the lease'))).toHaveLength(3);
    expect((await a.tokens.find({})).length).toBe(1);
    expect(violations(sim)).toBe(0);
  });
});
