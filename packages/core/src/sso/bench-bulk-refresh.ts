// Bulk-refresh throughput: N tokens refreshed against the simulator's SSO at the manager's
// default concurrency (5). A script, not a test: timings are reported, never asserted.
//
//   node --conditions=@esikit/source --import tsx src/sso/bench-bulk-refresh.ts [tokens] [ssoLatencyMs]
/* eslint-disable no-console -- a benchmark script prints its figures */
import { performance } from 'node:perf_hooks';
import { saveToken } from './login.js';
import { MemoryTokenStore } from './memory-store.js';
import { simManager, simSso, startSim } from './testing/sim-fixture.js';

const count = Number(process.argv[2] ?? 1000);
const latencyMs = Number(process.argv[3] ?? 0);
if (!Number.isInteger(count) || count < 1)
  throw new TypeError(`tokens must be a positive integer, got ${process.argv[2]}`);
if (!Number.isFinite(latencyMs) || latencyMs < 0)
  throw new TypeError(`ssoLatencyMs must be >= 0, got ${process.argv[3]}`);

const sim = await startSim();
try {
  const sso = simSso(sim, { timeoutMs: 30_000 });
  const tokens = simManager(sim, { sso, store: new MemoryTokenStore() });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const character = sim.characters[i % sim.characters.length]!;
    const issued = await sim.issueTokens({
      characterId: character.id,
      scopes: ['esi-skills.read_skills.v1'],
    });
    const verified = await sso.verifyAccessToken(issued.access_token);
    const { token } = await saveToken(
      tokens,
      {
        accessToken: issued.access_token,
        refreshToken: issued.refresh_token,
        tokenType: 'Bearer',
        expiresIn: issued.expires_in,
        verified,
      },
      { userId: `user-${i}` },
    );
    ids.push(token.id);
  }
  sim.clock.advance(21 * 60_000);
  if (latencyMs > 0) sim.sso.setFaults({ token: { latencyMs } });
  const before = sim.sso.stats().refreshes;
  const started = performance.now();
  const result = await tokens.bulkRefresh(ids);
  const seconds = (performance.now() - started) / 1000;
  const refreshes = sim.sso.stats().refreshes - before;
  console.log(
    JSON.stringify({
      tokens: count,
      concurrency: tokens.concurrency,
      ssoLatencyMs: latencyMs,
      refreshed: result.refreshed.length,
      deleted: result.deleted.length,
      failed: result.failed.length,
      ssoRefreshes: refreshes,
      wallSeconds: Number(seconds.toFixed(3)),
      tokensPerSecond: Math.round(result.refreshed.length / seconds),
      node: process.version,
    }),
  );
} finally {
  await sim.close();
}
