import { describe, expect, it } from 'vitest';
import { harnessPerTest } from '../test/helpers.js';
import { EsiValidationError } from './index.js';

const WALLET = 'esi-wallet.read_character_wallet.v1';

// One simulator per test; it must count no citizenship violation.
const start = harnessPerTest();

describe('cursor routes', () => {
  it('walks newest first, then `before` until an empty list, and keeps `after`', async () => {
    const h = await start();
    const walk = h.esi.request('GetFreelanceJobsListing', { limit: 10 }).cursor();
    const ids: string[] = [];
    for await (const job of walk) ids.push(job.id);
    expect(ids.length).toBeGreaterThan(20);
    expect(new Set(ids).size).toBe(ids.length);
    expect(walk.after).toEqual(expect.any(String));
    expect(walk.listKey).toBe('freelance_jobs');
    const queries = h.sim.audit().map((e) => new URLSearchParams(e.query));
    expect(queries[0]?.has('before')).toBe(false);
    expect(queries[0]?.has('after')).toBe(false);
    expect(queries.slice(1).every((q) => q.has('before'))).toBe(true);
    expect(queries.length).toBe(Math.ceil(ids.length / 10) + 1);
  });

  it('resumes from `after` and gets only what changed since', async () => {
    const h = await start();
    const first = h.esi.request('GetFreelanceJobsListing').cursor();
    const seen = new Map<string, unknown>();
    for await (const job of first) seen.set(job.id, job);
    const token = first.after;
    expect(token).toBeDefined();

    // Nothing changed yet: resuming yields nothing and keeps the token.
    const idle = h.esi.request('GetFreelanceJobsListing').cursor({ after: token! });
    let count = 0;
    for await (const _ of idle) count += 1;
    expect(count).toBe(0);
    expect(idle.after).toBe(token);

    // An hour later, new and modified records appear after the token, and only those.
    h.sim.clock.advance(3600_000);
    const resumed = h.esi.request('GetFreelanceJobsListing').cursor({ after: token! });
    const changed: string[] = [];
    for await (const job of resumed) changed.push(job.id);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(seen.size);
    expect(resumed.after).not.toBe(token);
    const lastQuery = new URLSearchParams(h.sim.audit().at(-1)?.query);
    expect(lastQuery.get('after')).toBe(resumed.after);
  });

  it('collects a whole cursor walk with results()', async () => {
    const h = await start();
    const all = await h.esi.request('GetFreelanceJobsListing').results();
    expect(Array.isArray(all.freelance_jobs)).toBe(true);
    expect(all.freelance_jobs.length).toBeGreaterThan(20);
    expect(all.cursor?.after).toEqual(expect.any(String));
  });

  it('is only offered on cursor routes', async () => {
    const h = await start();
    const handle = h.esi.request('GetStatus') as unknown as { cursor(): AsyncIterable<unknown> };
    const walk = async (): Promise<void> => {
      for await (const _ of handle.cursor()) break;
    };
    await expect(walk()).rejects.toBeInstanceOf(EsiValidationError);
  });
});

describe('from_id routes', () => {
  it('walks wallet transactions backwards without repeats, then stops', async () => {
    const h = await start();
    const t = await h.token(0, [WALLET]);
    const ids: number[] = [];
    const walk = h.esi
      .request(
        'GetCharactersCharacterIdWalletTransactions',
        { character_id: t.characterId },
        { token: t.accessToken },
      )
      .fromId();
    for await (const tx of walk) ids.push(tx.transaction_id);
    expect(ids.length).toBeGreaterThan(25);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(ids.length);
    const audit = h.sim.audit();
    expect(new URLSearchParams(audit[0]?.query).has('from_id')).toBe(false);
    // The last request repeats only its from_id record: that is the stop signal.
    expect(audit.length).toBe(Math.ceil(ids.length / 24) + 1);
  });

  it('stops at a known id', async () => {
    const h = await start();
    const t = await h.token(0, [WALLET]);
    const all: number[] = [];
    const call = () =>
      h.esi.request(
        'GetCharactersCharacterIdWalletTransactions',
        { character_id: t.characterId },
        { token: t.accessToken },
      );
    for await (const tx of call().fromId()) all.push(tx.transaction_id);
    const known = all[30]!;
    const fresh: number[] = [];
    for await (const tx of call().fromId({ untilId: known })) fresh.push(tx.transaction_id);
    expect(fresh).toEqual(all.slice(0, 30));
    const collected = await call().results();
    expect(collected.map((tx) => tx.transaction_id)).toEqual(all);
  });
});

describe('paging parameters of walks', () => {
  it('regression: `before`/`after` (cursor) and `from_id` in params are refused before anything is sent', async () => {
    const h = await start();
    const t = await h.token(0, [WALLET]);
    const jobs = (params: object) =>
      h.esi.request('GetFreelanceJobsListing', params as { limit?: number });
    const wallet = h.esi.request(
      'GetCharactersCharacterIdWalletTransactions',
      { character_id: t.characterId, from_id: 5 } as { character_id: number },
      { token: t.accessToken },
    );
    const cases: [() => Promise<unknown>, string][] = [
      [() => jobs({ after: 'x' }).result(), 'after'],
      [() => jobs({ before: 'x' }).results(), 'before'],
      [() => wallet.result(), 'from_id'],
      [() => wallet.results(), 'from_id'],
    ];
    for (const [call, parameter] of cases) {
      const e = await call().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(EsiValidationError);
      expect(e).toMatchObject({ code: 'ESIKIT_VALIDATION', parameter });
    }
    expect(h.sim.audit()).toHaveLength(0);
  });
});
