import { importRefreshToken, TokenManager } from '@esikit/core/sso';
import type { Simulator } from '@esikit/simulator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openEsikitDatabase, type EsikitDatabase } from './index.js';
import { forkChild } from './testing/fork.js';
import { createTestDatabase, postgresProblem } from './testing/postgres.js';
import { describePostgres } from './testing/suite.js';
import { CALLBACK_URL, simSso, startSim, tokenCalls, WEB_CLIENT } from './testing/sim.js';

const problem = await postgresProblem();

describePostgres('two OS processes on one PostgreSQL', problem, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: EsikitDatabase;
  let sim: Simulator;
  let tokens: TokenManager;
  beforeAll(async () => {
    database = await createTestDatabase('processes');
    db = await openEsikitDatabase({ url: database.url, migrate: true });
    sim = await startSim();
    tokens = new TokenManager({ sso: simSso(sim, { timeoutMs: 1000 }), store: db.store });
  });
  afterAll(async () => {
    await db?.close();
    await sim?.close();
    await database?.drop();
  });

  /** A token of its own per test: different scopes, so a login does not update an earlier one. */
  async function expiredToken(scopes: string[]) {
    const pilot = sim.characters[0]!;
    const issued = await sim.issueTokens({ characterId: pilot.id, scopes });
    const token = await importRefreshToken(tokens, issued.refresh_token);
    sim.clock.advance(21 * 60_000);
    return token;
  }

  const setup = (tokenId: string, mode: 'race' | 'crash', callers: number) => ({
    mode,
    url: database.url,
    ssoUrl: sim.ssoUrl,
    ...WEB_CLIENT,
    callbackUrl: CALLBACK_URL,
    tokenId,
    clockOffsetMs: sim.clock.now() - Date.now(),
    callers,
    // The shortest ttl core allows with a 1 s SSO timeout: the crash test waits this long.
    leaseTtlMs: 9_000,
  });

  it('20 concurrent validAccessToken() in each of two processes: exactly one SSO refresh', async () => {
    const token = await expiredToken(['esi-skills.read_skills.v1']);
    const child = await forkChild(setup(token.id, 'race', 20));
    try {
      const before = tokenCalls(sim);
      // A slow token endpoint keeps the first refresh in flight while the other process
      // arrives, so the two really contend.
      sim.sso.setFaults({ token: { latencyMs: 300 } });
      const childDone = child.next();
      child.send({ go: true });
      const mine = await Promise.all(
        Array.from({ length: 20 }, () => tokens.validAccessToken(token.id)),
      );
      const theirs = await childDone;
      expect(theirs.error).toBeUndefined();
      // Every token-endpoint call counts, failed ones too.
      expect(tokenCalls(sim) - before).toBe(1);
      const all = new Set([...mine, ...(theirs.accessTokens as string[])]);
      expect(all.size).toBe(1);
      expect((await db.store.get(token.id))?.accessToken).toBe([...all][0]);
    } finally {
      sim.sso.setFaults({});
      child.process.kill('SIGKILL');
    }
  }, 60_000);

  it('a process killed (-9) while holding the refresh lease: another refreshes after the lease expires, the token survives', async () => {
    const token = await expiredToken(['publicData']);
    const child = await forkChild(setup(token.id, 'crash', 1));
    const exited = new Promise((resolve) => child.process.once('exit', resolve));
    try {
      const sending = child.next();
      child.send({ go: true });
      // The child holds the lease and its refresh request is on its way to SSO: kill it there.
      expect(await sending).toEqual({ sending: true });
      child.process.kill('SIGKILL');
      await exited;
      const lease = async () =>
        (
          await db.orm.em
            .getConnection()
            .execute<{ fence: string; live: boolean }[]>(
              'select fence, expires_at > clock_timestamp() as live from esikit_refresh_lease where key = ?',
              [`refresh:${token.id}`],
            )
        )[0];
      // The dead process's lease is still held: nobody may refresh until it expires.
      expect(await lease()).toEqual({ fence: '1', live: true });
      const before = tokenCalls(sim);
      const fresh = await tokens.validAccessToken(token.id);
      expect(fresh).not.toBe(token.accessToken);
      expect(tokenCalls(sim) - before).toBe(1);
      const stored = await db.store.get(token.id);
      expect(stored?.accessToken).toBe(fresh);
      expect(stored?.version).toBe(token.version + 1);
      // The survivor took the lease over (fence 2) after the dead holder's expired.
      expect((await lease())?.fence).toBe('2');
    } finally {
      child.process.kill('SIGKILL');
    }
  }, 60_000);
});
