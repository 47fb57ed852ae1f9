// The @esikit/mikro-orm benchmark: the store on PostgreSQL and on embedded PGlite, each figure
// set against the memory store (or real PostgreSQL, for start-up) in the same run. `pnpm bench`
// runs it. Timings are reported, never asserted.
/* eslint-disable no-console -- a benchmark script prints its figures */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSso, MemoryTokenStore, TokenManager, type TokenStore } from '@esikit/core/sso';
import { EsikitToken, openEsikitDatabase, type EsikitDatabase } from '../index.js';
import { createTestDatabase, postgresProblem } from '../testing/postgres.js';
import { CALLBACK_URL, WEB_CLIENT } from '../testing/sim.js';
import { startRemoteSim } from './remote-sim.js';

const run = promisify(execFile);
// `pnpm bench` runs every part; `pnpm bench queries` (or bulk, startup) runs some.
const parts = new Set(process.argv.slice(2));
const want = (part: 'queries' | 'bulk' | 'startup') => parts.size === 0 || parts.has(part);
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const TOKENS = 10_000;
const BULK = 1_000;
const SSO_LATENCY_MS = 50;
const T0 = Date.UTC(2026, 0, 1);
const SKILLS = 'esi-skills.read_skills.v1';
const WALLET = 'esi-wallet.read_character_wallet.v1';

interface Measure {
  name: string;
  store: string;
  value: string;
  baseline: string;
  ratio: number | undefined;
  target: string;
}
const table: Measure[] = [];
const details: Record<string, unknown> = {};

function p50(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
function fmt(ms: number): string {
  return ms < 1
    ? `${(ms * 1000).toFixed(0)} µs`
    : ms < 100
      ? `${ms.toFixed(2)} ms`
      : `${ms.toFixed(0)} ms`;
}
function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

// The simulator runs on its own thread: see sim-worker.ts.
const sim = await startRemoteSim();
const simSso = (timeoutMs = 5_000) =>
  createSso({
    ...WEB_CLIENT,
    callbackUrl: CALLBACK_URL,
    ssoUrl: sim.ssoUrl,
    clock: () => sim.now(),
    jwksRefetchCooldownMs: 0,
    timeoutMs,
  });
const problem = await postgresProblem();
const pgDatabase = problem === undefined ? await createTestDatabase('bench') : undefined;
if (problem !== undefined) console.warn(`PostgreSQL not reachable (${problem}): PGlite only`);

interface Subject {
  name: string;
  store: TokenStore;
  db?: EsikitDatabase;
}
const subjects: Subject[] = [{ name: 'memory', store: new MemoryTokenStore() }];
if (pgDatabase !== undefined) {
  const db = await openEsikitDatabase({ url: pgDatabase.url, migrate: true });
  subjects.push({ name: 'postgresql', store: db.store, db });
}
const pglite = await openEsikitDatabase({ dataDir: ':memory:', env: {} });
subjects.push({ name: 'pglite', store: pglite.store, db: pglite });

try {
  // -- 10,000 tokens: 2 per character; 1 in 100 also has the wallet scope --------------------
  const rows = Array.from({ length: TOKENS }, (_, i) => ({
    accessToken: `access-${i}`,
    refreshToken: `refresh-${i}`,
    characterId: 90_000_000 + (i % (TOKENS / 2)),
    characterName: `Pilot ${i}`,
    tokenType: 'Bearer',
    ownerHash: `owner-${i % (TOKENS / 2)}`,
    ssoVersion: 2,
    userId: `user-${i % 3000}`,
    scopes: i % 100 === 0 ? ['publicData', SKILLS, WALLET] : ['publicData', SKILLS],
    expiresAt: T0 + 20 * 60_000,
  }));
  for (const s of want('queries') ? subjects : []) {
    const started = performance.now();
    if (s.db === undefined) {
      for (const [i, r] of rows.entries()) await s.store.create(r, T0 + i);
    } else {
      const em = s.db.orm.em.fork();
      for (let i = 0; i < rows.length; i += 1000)
        await em.insertMany(
          EsikitToken,
          rows.slice(i, i + 1000).map((r, j) => ({
            ...r,
            created: T0 + i + j,
            updated: T0 + i + j,
            version: 1,
          })),
        );
      await em.getConnection().execute('analyze esikit_token');
    }
    details[`seed_${s.name}_ms`] = performance.now() - started;
  }

  // -- getToken(character, scopes) p50, interleaved so every store sees the same machine ------
  const managers = subjects.map((s) => new TokenManager({ sso: simSso(), store: s.store }));
  const getSamples = subjects.map(() => [] as number[]);
  for (let i = 0; i < (want('queries') ? 2200 : 0); i++) {
    const characterId = 90_000_000 + ((i * 7919) % (TOKENS / 2));
    for (const [k, m] of managers.entries()) {
      const t = performance.now();
      const found = await m.getToken(characterId, [SKILLS]);
      if (found === undefined) throw new Error(`getToken found nothing in ${subjects[k]!.name}`);
      if (i >= 200) getSamples[k]!.push(performance.now() - t);
    }
  }
  const scopeSamples = subjects.map(() => [] as number[]);
  const broadSamples = subjects.map(() => [] as number[]);
  for (let i = 0; i < (want('queries') ? 220 : 0); i++) {
    for (const [k, m] of managers.entries()) {
      let t = performance.now();
      const few = await m.requireScopes([WALLET]);
      if (i >= 20) scopeSamples[k]!.push(performance.now() - t);
      if (few.length !== TOKENS / 100) throw new Error(`requireScopes found ${few.length}`);
      if (i < 40) {
        t = performance.now();
        const all = await m.requireScopes([SKILLS]);
        if (i >= 10) broadSamples[k]!.push(performance.now() - t);
        if (all.length !== TOKENS) throw new Error(`requireScopes found ${all.length}`);
      }
    }
  }
  const base = {
    get: p50(getSamples[0]!),
    scope: p50(scopeSamples[0]!),
    broad: p50(broadSamples[0]!),
  };
  for (const [k, s] of want('queries') ? subjects.entries() : []) {
    if (k === 0) continue;
    const get = p50(getSamples[k]!);
    const scope = p50(scopeSamples[k]!);
    const broad = p50(broadSamples[k]!);
    table.push(
      {
        name: `getToken(character, scopes) over ${TOKENS} tokens, p50`,
        store: s.name,
        value: fmt(get),
        baseline: fmt(base.get),
        ratio: get / base.get,
        target: 'report',
      },
      {
        name: `requireScopes → ${TOKENS / 100} of ${TOKENS} tokens, p50`,
        store: s.name,
        value: fmt(scope),
        baseline: fmt(base.scope),
        ratio: scope / base.scope,
        target: 'report',
      },
      {
        name: `requireScopes → all ${TOKENS} tokens, p50`,
        store: s.name,
        value: fmt(broad),
        baseline: fmt(base.broad),
        ratio: broad / base.broad,
        target: 'report',
      },
    );
  }
  details.getTokenP50Ms = Object.fromEntries(subjects.map((s, k) => [s.name, p50(getSamples[k]!)]));
  details.requireScopesFewP50Ms = Object.fromEntries(
    subjects.map((s, k) => [s.name, p50(scopeSamples[k]!)]),
  );
  details.requireScopesAllP50Ms = Object.fromEntries(
    subjects.map((s, k) => [s.name, p50(broadSamples[k]!)]),
  );

  // -- bulk refresh: 1,000 real tokens per store, SSO answering in 50 ms ----------------------
  const sso = simSso(30_000);
  const bulkManagers = subjects.map((s) => new TokenManager({ sso, store: s.store }));
  const bulkIds = subjects.map(() => [] as string[]);
  for (const [k, m] of want('bulk') ? bulkManagers.entries() : []) {
    for (let i = 0; i < BULK; i++) {
      const issued = await sim.issue(i, [SKILLS]);
      const v = await sso.verifyAccessToken(issued.access_token);
      const token = await m.store.create(
        {
          accessToken: issued.access_token,
          refreshToken: issued.refresh_token,
          characterId: v.characterId,
          characterName: v.characterName,
          tokenType: 'Bearer',
          ownerHash: v.ownerHash,
          ssoVersion: 2,
          userId: `bulk-${k}-${i}`,
          scopes: v.scopes,
          expiresAt: v.expiresAt,
        },
        sim.now(),
      );
      bulkIds[k]!.push(token.id);
    }
  }
  await sim.advance(21 * 60_000);
  await sim.setFaults({ token: { latencyMs: SSO_LATENCY_MS } });
  // In rounds of 250 per store, in turn, so a change in the machine's load hits every store
  // alike (sequential runs of a minute each measured the load as much as the store).
  const bulkSeconds = subjects.map(() => 0);
  const ROUNDS = 4;
  for (let round = 0; round < (want('bulk') ? ROUNDS : 0); round++) {
    for (const [k, m] of bulkManagers.entries()) {
      const chunk = bulkIds[k]!.slice((round * BULK) / ROUNDS, ((round + 1) * BULK) / ROUNDS);
      const before = (await sim.stats()).sso.refreshes;
      const started = performance.now();
      const result = await m.bulkRefresh(chunk);
      bulkSeconds[k]! += (performance.now() - started) / 1000;
      const refreshes = (await sim.stats()).sso.refreshes - before;
      if (result.refreshed.length !== chunk.length || refreshes !== chunk.length)
        throw new Error(
          `${subjects[k]!.name}: refreshed ${result.refreshed.length} of ${chunk.length}, SSO refreshes ${refreshes}, failed ${result.failed.length}`,
        );
    }
  }
  await sim.setFaults({});
  for (const [k, s] of want('bulk') ? subjects.entries() : []) {
    if (k === 0) continue;
    const ratio = BULK / bulkSeconds[k]! / (BULK / bulkSeconds[0]!);
    table.push({
      name: `bulk refresh ${BULK} tokens, SSO ${SSO_LATENCY_MS} ms, concurrency 5 (tokens/s)`,
      store: s.name,
      value: `${(BULK / bulkSeconds[k]!).toFixed(1)}/s`,
      baseline: `${(BULK / bulkSeconds[0]!).toFixed(1)}/s`,
      ratio,
      target: '≥ 0.9×',
    });
  }
  details.bulkSeconds = Object.fromEntries(subjects.map((s, k) => [s.name, bulkSeconds[k]]));
  details.violations = (await sim.stats()).violations;
} finally {
  for (const s of subjects) await s.db?.close();
  await sim.close();
}

// -- start-up to first query and RSS, each sample a new process (median of 3) ---------------
const child = fileURLToPath(new URL('./startup-child.ts', import.meta.url));
interface Startup {
  ms: number;
  rss: number;
  backendRss?: number;
}
async function startup(mode: string, where: string): Promise<Startup> {
  const { stdout } = await run(
    process.execPath,
    ['--conditions=@esikit/source', '--import', 'tsx', child, mode, where],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Startup;
}
function median(xs: Startup[], key: keyof Startup): number {
  return p50(xs.map((x) => x[key] ?? Number.NaN));
}
const scratch = mkdtempSync(join(tmpdir(), 'esikit-bench-'));
try {
  const samples: Record<string, Startup[]> = {
    fresh: [],
    existing: [],
    memory: [],
    postgresql: [],
  };
  for (let i = 0; i < (want('startup') ? 3 : 0); i++) {
    const dir = join(scratch, `db-${i}`);
    samples.fresh!.push(await startup('embedded', dir));
    samples.existing!.push(await startup('embedded', dir));
    samples.memory!.push(await startup('embedded', ':memory:'));
    if (pgDatabase !== undefined)
      samples.postgresql!.push(await startup('postgresql', pgDatabase.url));
  }
  details.startup = samples;
  const pg = samples.postgresql!.length > 0 ? samples.postgresql! : undefined;
  for (const [label, key] of want('startup')
    ? ([
        ['existing directory', 'existing'],
        ['new directory', 'fresh'],
        ['in memory', 'memory'],
      ] as const)
    : []) {
    const xs = samples[key]!;
    table.push({
      name: `embedded start-up to first query, ${label} (median of 3)`,
      store: 'pglite',
      value: fmt(median(xs, 'ms')),
      baseline: pg ? `${fmt(median(pg, 'ms'))} (PostgreSQL)` : 'n/a',
      ratio: pg ? median(xs, 'ms') / median(pg, 'ms') : undefined,
      target: 'report',
    });
    table.push({
      name: `  … process RSS after the first query, ${label}`,
      store: 'pglite',
      value: mb(median(xs, 'rss')),
      baseline: pg
        ? `${mb(median(pg, 'rss'))} client + ${mb(median(pg, 'backendRss'))} server backend`
        : 'n/a',
      ratio: pg ? median(xs, 'rss') / median(pg, 'rss') : undefined,
      target: 'report',
    });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
  await pgDatabase?.drop();
}

const header = `${'measure'.padEnd(72)} ${'store'.padEnd(10)} ${'value'.padEnd(12)} ${'baseline'.padEnd(34)} ${'ratio'.padEnd(8)} target`;
console.log(
  `@esikit/mikro-orm bench — Node ${process.version}, baseline: memory store (start-up: PostgreSQL)\n`,
);
console.log(header);
console.log('-'.repeat(header.length));
for (const m of table)
  console.log(
    `${m.name.padEnd(72)} ${m.store.padEnd(10)} ${m.value.padEnd(12)} ${m.baseline.padEnd(34)} ${(m.ratio === undefined ? '—' : `${m.ratio.toFixed(2)}×`).padEnd(8)} ${m.target}`,
  );
console.log(`\nsimulator violations: ${JSON.stringify(details.violations)}`);
const out = join(repoRoot, 'bench-results');
mkdirSync(out, { recursive: true });
const file = join(out, `mikro-orm-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ node: process.version, table, details }, null, 2));
console.log(`\nwrote ${file}`);
