import { Agent, type Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { APP, harnessPerTest, T0, tick, type Harness } from '../test/helpers.js';
import { startProxy } from '../test/proxy.js';
import {
  createEsiClient,
  EsiAbortedError,
  EsiIncompleteResultError,
  EsiValidationError,
} from './index.js';

const ORDERS = 'GetMarketsRegionIdOrders';

// One simulator per test; it must count no citizenship violation.
const start = harnessPerTest();

/** Moves the simulated clock forward in steps while `promise` is pending (waits poll the clock). */
async function advanceWhile<T>(h: Harness, promise: Promise<T>, stepMs: number): Promise<T> {
  let done = false;
  const settled = promise.finally(() => {
    done = true;
  });
  settled.catch(() => undefined);
  for (let i = 0; i < 200 && !done; i++) {
    await tick(60);
    if (!done) h.sim.clock.advance(stepMs);
  }
  return settled;
}

describe('results() over X-Pages', () => {
  it('fetches page 1, then the rest, and concatenates them in order', async () => {
    const h = await start({ pages: { [ORDERS]: 7 } });
    const all = await h.esi.request(ORDERS, { region_id: 10000002 }).resultsWithResponse();
    const pages = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7].map((page) =>
        h.esi.request(ORDERS, { region_id: 10000002 }).result({ page }),
      ),
    );
    expect(all.data).toEqual(pages.flat());
    expect(all.pages).toBe(7);
    expect(all.fromCache).toBe(false);
    const queries = h.sim.audit().map((e) => e.query);
    expect(queries[0]).toBe('order_type=all');
    expect(queries).toHaveLength(7); // the page-by-page calls above all came from the cache
  });

  it('keeps at most pageConcurrency pages in flight', async () => {
    let inFlight = 0;
    let most = 0;
    class CountingAgent extends Agent {
      override dispatch(opts: Agent.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        inFlight += 1;
        most = Math.max(most, inFlight);
        const done = (): void => {
          inFlight -= 1;
        };
        return super.dispatch(opts, {
          onRequestStart: (c, ctx) => handler.onRequestStart?.(c, ctx),
          onResponseStart: (c, s, hs, m) => handler.onResponseStart?.(c, s, hs, m),
          onResponseData: (c, chunk) => handler.onResponseData?.(c, chunk),
          onResponseEnd: (c, t) => {
            done();
            handler.onResponseEnd?.(c, t);
          },
          onResponseError: (c, e) => {
            done();
            handler.onResponseError?.(c, e);
          },
        });
      }
    }
    const dispatcher = new CountingAgent();
    const h = await start(
      { pages: { [ORDERS]: 20 }, latencyMs: 15 },
      { pageConcurrency: 3, dispatcher },
    );
    await h.esi.request(ORDERS, { region_id: 10000002 }).results();
    expect(h.seen(ORDERS)).toBe(20);
    expect(most).toBe(3);
    await dispatcher.close();
  });

  it('turns 304s into data inside results()', async () => {
    // Universe types carry an ETag but no Expires: a second walk revalidates every page.
    const h = await start({ pages: { GetUniverseTypes: 4 } });
    const first = await h.esi.request('GetUniverseTypes').results();
    const second = await h.esi.request('GetUniverseTypes').resultsWithResponse();
    expect(second.data).toEqual(first);
    expect(second.fromCache).toBe(true);
    expect(h.sim.stats().notModified).toBe(4);
    expect(h.esi.stats().notModified).toBe(4);
  });

  it('refetches when a page changed mid-walk, after the old window, and returns one snapshot', async () => {
    const h = await start({
      // New data in the next window too, so the refetch is three full 200s.
      dataChangeRate: 1,
      pages: { [ORDERS]: 3 },
      faults: { routes: { [ORDERS]: { pageChange: true } } },
    });
    const walk = h.esi.request(ORDERS, { region_id: 10000002 }).resultsWithResponse();
    // Let the first walk see the change, then stop changing the data.
    while (h.seen(ORDERS) < 3) await tick(10);
    h.sim.setFaults({});
    const result = await advanceWhile(h, walk, 30_000);
    const mods = new Set(
      h.sim
        .audit()
        .slice(-3)
        .map((e) => e.status),
    );
    expect(mods).toEqual(new Set([200]));
    expect(h.seen(ORDERS)).toBe(6);
    // No page was asked for again before its Expires (the afterEach checks the counter too).
    expect(h.sim.audit()[3]?.at).toBeGreaterThanOrEqual(T0 - 1000 + 300_000);
    const pages = await Promise.all(
      [1, 2, 3].map((page) =>
        h.esi.request(ORDERS, { region_id: 10000002 }).resultWithResponse({ page }),
      ),
    );
    expect(new Set(pages.map((p) => p.lastModified)).size).toBe(1);
    expect(result.data).toEqual(pages.flatMap((p) => p.data));
  });

  it('gives up with EsiIncompleteResultError when pages keep disagreeing', async () => {
    const h = await start({
      pages: { [ORDERS]: 3 },
      faults: { routes: { [ORDERS]: { pageChange: true } } },
      // New data in every window: with the simulator's default (most windows unchanged) whether
      // the retry's window holds new data depended on the hour the test ran in, so it was flaky.
      dataChangeRate: 1,
    });
    const walk = h.esi.request(ORDERS, { region_id: 10000002 }).results();
    const error = await advanceWhile(h, walk, 60_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EsiIncompleteResultError);
    expect(error).toMatchObject({
      code: 'ESIKIT_INCOMPLETE_RESULT',
      operation: ORDERS,
      attempts: 3,
    });
    expect((error as Error).message).toMatch(/Last-Modified/);
  });

  it('waits for the next window when page 1 is about to expire', async () => {
    const h = await start({ pages: { [ORDERS]: 3 } });
    // Two seconds before the 5-minute window ends.
    h.sim.clock.advance(300_000 - 1000 - 2000);
    const walk = h.esi.request(ORDERS, { region_id: 10000002 }).results();
    await advanceWhile(h, walk, 1000);
    const audit = h.sim.audit();
    expect(audit.map((e) => e.query)).toEqual([
      'order_type=all',
      'order_type=all',
      'order_type=all&page=2',
      'order_type=all&page=3',
    ]);
    const windowEnd = Math.ceil(audit[0]!.at / 300_000) * 300_000;
    expect(audit[1]!.at).toBeGreaterThanOrEqual(windowEnd);
  });

  it('stops a walk when the caller aborts', async () => {
    const h = await start({ pages: { [ORDERS]: 3 } });
    h.sim.clock.advance(300_000 - 1000 - 2000);
    const controller = new AbortController();
    const walk = h.esi
      .request(ORDERS, { region_id: 10000002 })
      .results({ signal: controller.signal });
    await tick(100);
    controller.abort();
    await expect(walk).rejects.toBeInstanceOf(EsiAbortedError);
  });

  it('regression: pages of one window without Last-Modified are one snapshot, whatever the clock did between them', async () => {
    // ESI sends some X-Pages routes without Last-Modified. Each page arrives a little later (the
    // proxy moves the clock 700 ms per request) with its own Date, so the client-clock expiry
    // of each page, rounded to seconds, lands on either side of a second: the old comparison
    // judged the pages different, waited for the next window and fetched everything again.
    const h = await start({ pages: { [ORDERS]: 4 } });
    await using proxy = await startProxy(h.sim.esiUrl, {
      beforeForward: () => h.sim.clock.advance(700),
      rewrite: (_path, answer) => {
        delete answer.headers['last-modified'];
        return answer;
      },
    });
    const esi = createEsiClient({ ...APP, baseUrl: proxy.url, clock: () => h.sim.clock.now() });
    try {
      const all = await advanceWhile(
        h,
        esi.request(ORDERS, { region_id: 10000002 }).resultsWithResponse(),
        30_000,
      );
      expect(all.lastModified).toBeUndefined();
      expect(all.pages).toBe(4);
      expect(h.seen(ORDERS)).toBe(4);
      expect(new Set(h.sim.audit().map((e) => e.status))).toEqual(new Set([200]));
    } finally {
      await esi.close();
    }
  });

  it('without Last-Modified, still sees pages of another window by the Expires ESI sent', async () => {
    const h = await start({ pages: { [ORDERS]: 3 } });
    let forwarded = 0;
    await using proxy = await startProxy(h.sim.esiUrl, {
      // Pages 2 and 3 of the first walk fall in the next 5-minute window.
      beforeForward: () => {
        if (++forwarded === 2) h.sim.clock.advance(300_000);
      },
      rewrite: (_path, answer) => {
        delete answer.headers['last-modified'];
        return answer;
      },
    });
    const esi = createEsiClient({ ...APP, baseUrl: proxy.url, clock: () => h.sim.clock.now() });
    try {
      await esi.request(ORDERS, { region_id: 10000002 }).results();
      // The first walk mixed windows; the second starts over from page 1 of the new window,
      // whose pages 2 and 3 are still fresh in the cache.
      expect(h.sim.audit().map((e) => e.query)).toEqual([
        'order_type=all',
        expect.stringMatching(/page=[23]$/),
        expect.stringMatching(/page=[23]$/),
        'order_type=all',
      ]);
    } finally {
      await esi.close();
    }
  });
});

describe('paging parameters', () => {
  it('regression: `page` in params is refused by every form, before anything is sent', async () => {
    // It used to be sent as "page 1" of results() (then refused for page 2), and honoured by result().
    const h = await start({ pages: { [ORDERS]: 3 } });
    const params = { region_id: 10000002, page: 2 } as unknown as { region_id: number };
    const handle = h.esi.request(ORDERS, params);
    for (const call of [
      () => handle.result(),
      () => handle.resultWithResponse({ page: 3 }),
      () => handle.results(),
      () => handle.resultsWithResponse(),
    ]) {
      const e = await call().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(EsiValidationError);
      expect(e).toMatchObject({ code: 'ESIKIT_VALIDATION', operation: ORDERS, parameter: 'page' });
      expect((e as Error).message).toMatch(/result\(\{ page \}\)/);
    }
    expect(h.sim.audit()).toHaveLength(0);
  });
});

describe('pages(): one page at a time', () => {
  it('yields every page in order with its metadata, the same records as results()', async () => {
    const h = await start({ pages: { [ORDERS]: 5 } }, { pageConcurrency: 2 });
    const handle = h.esi.request(ORDERS, { region_id: 10000002 });
    const seen: { page: number; pages: number | undefined; fromCache: boolean }[] = [];
    const records: unknown[] = [];
    for await (const p of handle.pages()) {
      seen.push({ page: p.page, pages: p.pages, fromCache: p.fromCache });
      expect(p.expires).toBeGreaterThan(h.sim.clock.now());
      expect(p.etag).toMatch(/^"/);
      expect(p.lastModified).toEqual(expect.any(String));
      records.push(...p.data);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5].map((page) => ({ page, pages: 5, fromCache: false })));
    expect(h.seen(ORDERS)).toBe(5);
    // The same snapshot as results(), which now comes from the cache.
    const all = await handle.resultsWithResponse();
    expect(all.fromCache).toBe(true);
    expect(records).toEqual(all.data);
    expect(h.seen(ORDERS)).toBe(5);
  });

  it('never yields a page of another snapshot: stops with EsiIncompleteResultError', async () => {
    const h = await start({
      pages: { [ORDERS]: 3 },
      faults: { routes: { [ORDERS]: { pageChange: true } } },
    });
    const yielded: number[] = [];
    const walk = async (): Promise<void> => {
      for await (const p of h.esi.request(ORDERS, { region_id: 10000002 }).pages())
        yielded.push(p.page);
    };
    const e = await walk().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiIncompleteResultError);
    expect(e).toMatchObject({ code: 'ESIKIT_INCOMPLETE_RESULT', operation: ORDERS });
    expect(yielded).toEqual([1]);
  });

  it('fetches at most pageConcurrency pages ahead, and none after the consumer stops', async () => {
    const h = await start({ pages: { [ORDERS]: 30 }, latencyMs: 20 }, { pageConcurrency: 3 });
    for await (const p of h.esi.request(ORDERS, { region_id: 10000002 }).pages()) {
      if (p.page === 2) break;
    }
    await tick(200);
    // Page 1, then pages 2..4 in flight at most, and one more started as page 2 was taken.
    expect(h.seen(ORDERS)).toBeLessThanOrEqual(5);
  });

  it('is only offered on X-Pages routes, and ends with EsiAbortedError when aborted', async () => {
    const h = await start({ pages: { [ORDERS]: 3 } });
    const status = h.esi.request('GetStatus') as unknown as {
      pages(): AsyncIterable<unknown>;
    };
    const first = async (walk: AsyncIterable<unknown>): Promise<unknown> => {
      for await (const p of walk) return p;
      return undefined;
    };
    await expect(first(status.pages())).rejects.toBeInstanceOf(EsiValidationError);
    const signal = AbortSignal.abort();
    await expect(
      first(h.esi.request(ORDERS, { region_id: 10000002 }).pages({ signal })),
    ).rejects.toBeInstanceOf(EsiAbortedError);
    expect(h.sim.audit()).toHaveLength(0);
  });
});
