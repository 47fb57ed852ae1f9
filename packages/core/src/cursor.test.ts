import { describe, expect, it } from 'vitest';
import { APP, harnessPerTest, type Harness } from '../test/helpers.js';
import { startProxy, type ProxyHooks } from '../test/proxy.js';
import {
  createEsiClient,
  EsiAbortedError,
  EsiResponseError,
  EsiValidationError,
  EsiWalkError,
  type EsiClientWithTags,
} from './index.js';

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
    const jobs = (params: object) => h.esi.request('GetFreelanceJobsListing', params);
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

/** A client that reaches the simulator through a proxy that changes ESI's answers. */
async function proxied(
  h: Harness,
  hooks: ProxyHooks,
): Promise<{ esi: EsiClientWithTags } & AsyncDisposable> {
  const proxy = await startProxy(h.sim.esiUrl, hooks);
  const esi = createEsiClient({ ...APP, baseUrl: proxy.url, clock: () => h.sim.clock.now() });
  return {
    esi,
    async [Symbol.asyncDispose]() {
      await esi.close();
      await proxy.close();
    },
  };
}

/** Rewrites the JSON body of answers whose path matches. */
function rewriteJson(
  match: RegExp,
  change: (body: unknown, query: URLSearchParams, count: number, path: string) => unknown,
): ProxyHooks {
  let count = 0;
  return {
    rewrite: (path, answer) => {
      if (!match.test(path) || answer.status !== 200) return answer;
      count += 1;
      const query = new URL(path, 'http://x').searchParams;
      const body = change(JSON.parse(answer.body), query, count, path);
      return {
        ...answer,
        body: JSON.stringify(body),
        headers: { ...answer.headers, etag: `"${count}"` },
      };
    },
  };
}

/** Collects a walk; a walk that never ends (the bugs below) fails here instead of hanging. */
async function drain(walk: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of walk) {
    if (out.push(item) > 5000) throw new Error('the walk does not end');
  }
  return out;
}

describe('walk errors', () => {
  it('regression: a cursor walk stops with ESIKIT_WALK_STUCK when ESI repeats the `before` token', async () => {
    const h = await start();
    // Every answer to a `before` request names that same token as the next one.
    await using c = await proxied(
      h,
      rewriteJson(/^\/freelance-jobs/, (body, query) => {
        const b = body as { cursor?: { before?: string } };
        const before = query.get('before');
        if (before !== null && b.cursor) b.cursor.before = before;
        return b;
      }),
    );
    const e = await drain(c.esi.request('GetFreelanceJobsListing', { limit: 10 }).cursor()).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(EsiWalkError);
    expect(e).toMatchObject({
      code: 'ESIKIT_WALK_STUCK',
      operation: 'GetFreelanceJobsListing',
      parameter: 'before',
    });
    expect(h.seen('GetFreelanceJobsListing')).toBe(2);
  });

  it('regression: a cursor walk stops with ESIKIT_WALK_STUCK when ESI repeats the `after` token', async () => {
    const h = await start();
    const first = h.esi.request('GetFreelanceJobsListing').cursor();
    await drain(first);
    h.sim.clock.advance(3600_000);
    // Records keep coming with the token asked for as the next one: the old loop never ended
    // (bounded here: the 20th answer is empty).
    await using c = await proxied(
      h,
      rewriteJson(/^\/freelance-jobs/, (body, query, count) => {
        const b = body as { cursor?: { after?: string }; freelance_jobs?: unknown[] };
        const after = query.get('after');
        if (after !== null && b.cursor) b.cursor.after = after;
        if (count >= 20) b.freelance_jobs = [];
        return b;
      }),
    );
    const e = await drain(
      c.esi.request('GetFreelanceJobsListing').cursor({ after: first.after! }),
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiWalkError);
    expect(e).toMatchObject({ code: 'ESIKIT_WALK_STUCK', parameter: 'after' });
  });

  it('regression: a from_id walk stops with ESIKIT_WALK_STUCK when ESI answers with records newer than from_id', async () => {
    const h = await start();
    const t = await h.token(0, [WALLET]);
    let newest: unknown;
    // ESI ignoring from_id: every answer is the newest page again (the 20th is empty, to bound the old loop).
    await using c = await proxied(
      h,
      rewriteJson(/\/wallet\/transactions/, (body, _query, count) => {
        newest ??= body;
        return count >= 20 ? [] : newest;
      }),
    );
    const walk = c.esi
      .request(
        'GetCharactersCharacterIdWalletTransactions',
        { character_id: t.characterId },
        { token: t.accessToken },
      )
      .fromId();
    const e = await drain(walk).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiWalkError);
    expect(e).toMatchObject({ code: 'ESIKIT_WALK_STUCK', parameter: 'from_id' });
  });

  it('regression: answers of the wrong shape are EsiResponseErrors (ESIKIT_BAD_RESPONSE), not TypeErrors', async () => {
    const h = await start();
    const t = await h.token(0, [WALLET]);
    await using c = await proxied(
      h,
      rewriteJson(/\/(freelance-jobs|wallet\/transactions|markets)/, (body, _q, _n, path) =>
        path.startsWith('/markets')
          ? { not: 'a list' }
          : Array.isArray(body)
            ? [{ no_id: 1 }]
            : 'not an object',
      ),
    );
    const cursorError = await drain(c.esi.request('GetFreelanceJobsListing').cursor()).catch(
      (x: unknown) => x,
    );
    const wallet = c.esi.request(
      'GetCharactersCharacterIdWalletTransactions',
      { character_id: t.characterId },
      { token: t.accessToken },
    );
    const fromIdError = await drain(wallet.fromId()).catch((x: unknown) => x);
    const pagesError = await c.esi
      .request('GetMarketsRegionIdOrders', { region_id: 10000002 })
      .results()
      .catch((x: unknown) => x);
    for (const e of [cursorError, fromIdError, pagesError]) {
      expect(e).toBeInstanceOf(EsiResponseError);
      expect(e).toMatchObject({ code: 'ESIKIT_BAD_RESPONSE' });
    }
  });

  it('regression: walking a cursor iterator twice is an EsiWalkError (ESIKIT_WALK_REUSED)', async () => {
    const h = await start();
    const walk = h.esi.request('GetFreelanceJobsListing').cursor();
    await drain(walk);
    const e = await drain(walk).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiWalkError);
    expect(e).toMatchObject({ code: 'ESIKIT_WALK_REUSED' });
  });

  it('regression: an aborted signal ends every walk with EsiAbortedError, even when the pages are cached', async () => {
    const h = await start({ pages: { GetMarketsRegionIdOrders: 2 } });
    const t = await h.token(0, [WALLET]);
    const wallet = () =>
      h.esi.request(
        'GetCharactersCharacterIdWalletTransactions',
        { character_id: t.characterId },
        { token: t.accessToken },
      );
    const orders = () => h.esi.request('GetMarketsRegionIdOrders', { region_id: 10000002 });
    await wallet().results();
    await orders().results();
    const signal = AbortSignal.abort(new Error('user left'));
    const calls: (() => Promise<unknown>)[] = [
      () => drain(wallet().fromId({ signal })),
      () => wallet().results({ signal }),
      () => orders().results({ signal }),
      () => orders().result({ signal }),
      () => drain(h.esi.request('GetFreelanceJobsListing').cursor({ signal })),
    ];
    for (const call of calls) {
      const e = await call().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(EsiAbortedError);
      expect(e).toMatchObject({ code: 'ESIKIT_ABORTED' });
    }
  });
});

describe('walk metadata', () => {
  it('regression: from_id and cursor walks carry expires, lastModified, etag, pages and fromCache', async () => {
    const h = await start();
    const t = await h.token(0, [WALLET]);
    const wallet = () =>
      h.esi.request(
        'GetCharactersCharacterIdWalletTransactions',
        { character_id: t.characterId },
        { token: t.accessToken },
      );
    const walked = await wallet().resultsWithResponse();
    const requests = h.seen('GetCharactersCharacterIdWalletTransactions');
    expect(requests).toBeGreaterThan(1);
    // The hour-long window that started at 12:00 (T0 is 12:00:01).
    expect(walked).toMatchObject({
      status: 200,
      pages: requests,
      fromCache: false,
      expires: Date.UTC(2026, 10, 22, 13, 0, 0),
      lastModified: new Date(Date.UTC(2026, 10, 22, 12, 0, 0)).toUTCString(),
    });
    expect(walked.etag).toMatch(/^W\/"/);
    const again = await wallet().resultsWithResponse();
    expect(again).toMatchObject({ fromCache: true, etag: walked.etag, expires: walked.expires });
    expect(h.seen('GetCharactersCharacterIdWalletTransactions')).toBe(requests);

    const jobs = await h.esi.request('GetFreelanceJobsListing').resultsWithResponse();
    expect(jobs.pages).toBe(h.seen('GetFreelanceJobsListing'));
    expect(jobs.lastModified).toEqual(expect.any(String));
    expect(jobs.expires).toEqual(expect.any(Number));
    expect(jobs.etag).toMatch(/^W\/"/);
    expect(jobs.fromCache).toBe(false);
  });
});

describe('cursorPage(): one request at a time', () => {
  it('returns the records and the tokens to go on from, one request each', async () => {
    const h = await start();
    const handle = h.esi.request('GetFreelanceJobsListing', { limit: 10 });
    const newest = await handle.cursorPage();
    expect(h.seen('GetFreelanceJobsListing')).toBe(1);
    expect(newest.records).toHaveLength(10);
    expect(newest.records).toEqual(newest.data.freelance_jobs);
    expect(newest.before).toEqual(expect.any(String));
    expect(newest.after).toEqual(expect.any(String));
    expect(newest).toMatchObject({ status: 200, pages: undefined, fromCache: false });
    expect(newest.lastModified).toEqual(expect.any(String));

    const older = await handle.cursorPage({ before: newest.before! });
    expect(h.seen('GetFreelanceJobsListing')).toBe(2);
    expect(new URLSearchParams(h.sim.audit().at(-1)?.query).get('before')).toBe(newest.before);
    const ids = new Set(newest.records.map((j) => j.id));
    expect(older.records.length).toBeGreaterThan(0);
    expect(older.records.some((j) => ids.has(j.id))).toBe(false);

    // The same records as the first two steps of a full walk.
    const walk: string[] = [];
    for await (const job of h.esi.request('GetFreelanceJobsListing', { limit: 10 }).cursor()) {
      walk.push(job.id);
      if (walk.length === 20) break;
    }
    expect(walk).toEqual([...newest.records, ...older.records].map((j) => j.id));

    // Nothing changed since `after`: no records, and the token to keep is the one asked with.
    const idle = await handle.cursorPage({ after: newest.after! });
    expect(idle.records).toEqual([]);
    expect(idle.after).toBe(newest.after);
  });

  it('refuses before and after together, and tokens that are not strings, before sending', async () => {
    const h = await start();
    const handle = h.esi.request('GetFreelanceJobsListing');
    for (const options of [
      { before: 'a', after: 'b' },
      { before: '' },
      { after: 7 as unknown as string },
    ]) {
      const e = await handle.cursorPage(options).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(EsiValidationError);
    }
    const status = h.esi.request('GetStatus') as unknown as { cursorPage(): Promise<unknown> };
    await expect(status.cursorPage()).rejects.toBeInstanceOf(EsiValidationError);
    expect(h.sim.audit()).toHaveLength(0);
  });
});
