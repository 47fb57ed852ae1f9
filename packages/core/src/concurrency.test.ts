// Issue 7 §1: ESI citizenship when tens to hundreds of callers share one client. Every test
// runs against the simulator over loopback HTTP with its fake clock; the clock is advanced only
// when the client has gone quiet, which is safe whenever it happens (both sides read the same
// clock), so no assertion depends on real-time margins.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '@esikit/simulator';
import { APP, harnessPerTest, tick, type Harness } from '../test/helpers.js';
import {
  createEsiClient,
  EsiHttpError,
  EsikitError,
  MemoryCacheStore,
  type CacheEntry,
  type CacheStore,
} from './index.js';

const NO_ALLIANCE = 99_000_001;

/** An unsigned JWT naming a character, for servers that do not check it. */
function fakeToken(characterId: number, scp: readonly string[]): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ sub: `CHARACTER:EVE:${characterId}`, scp })}.`;
}
const start = harnessPerTest();

// `ESIKIT_FIGURES=1` prints what each storm drew, for the before/after note of issue 7.
const figures: string[] = [];
afterAll(() => {
  if (process.env.ESIKIT_FIGURES) process.stdout.write(`${figures.join('\n')}\n`);
});
function record(name: string, h: Harness, outcomes: readonly Outcome[] = []): void {
  const audit = h.sim.audit();
  const count = (s: number): number => audit.filter((e) => e.status === s).length;
  const codes: Record<string, number> = {};
  for (const o of outcomes) codes[o] = (codes[o] ?? 0) + 1;
  figures.push(
    `${name}: sent ${audit.length}, after-420 ${requestsAfter420(audit)}, 420s ${count(420)}, 429s ${count(429)}, violations ${JSON.stringify(h.sim.stats().violations)}, outcomes ${JSON.stringify(codes)}`,
  );
}

/** Requests the simulator received after it had answered 420 in the same error window. */
function requestsAfter420(audit: readonly AuditEntry[], windowMs = 60_000): number {
  const limited = new Set<number>();
  let after = 0;
  for (const e of audit) {
    const window = Math.floor(e.at / windowMs);
    if (limited.has(window)) after += 1;
    if (e.status === 420) limited.add(window);
  }
  return after;
}

/**
 * Waits for `work` while moving the simulator clock on by `stepMs` whenever the client has sent
 * nothing for a few polls (it is waiting for a reset). Fails instead of hanging.
 */
async function drive<T>(h: Harness, work: Promise<T>, stepMs: number): Promise<T> {
  let done = false;
  const settled = work.finally(() => {
    done = true;
  });
  let seen = -1;
  let quiet = 0;
  for (let i = 0; i < 5000 && !done; i++) {
    await tick(20);
    const n = h.sim.audit().length;
    quiet = n === seen ? quiet + 1 : 0;
    seen = n;
    if (quiet >= 2) {
      h.sim.clock.advance(stepMs);
      quiet = 0;
    }
  }
  expect(done, 'every caller settles').toBe(true);
  return settled;
}

/** 'value', or the error code a caller got. */
type Outcome = string;

/** `callers` concurrent callers, each making `calls` requests for alliances that do not exist. */
async function errorStorm(h: Harness, callers: number, calls: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const runs = Array.from({ length: callers }, async (_, c) => {
    for (let i = 0; i < calls; i++) {
      try {
        await h.esi
          .request('GetAlliancesAllianceId', { alliance_id: NO_ALLIANCE + c * calls + i })
          .result();
        outcomes.push('value');
      } catch (error) {
        outcomes.push(error instanceof EsikitError ? error.code : `untyped: ${String(error)}`);
      }
    }
  });
  await drive(h, Promise.all(runs), 60_000);
  return outcomes;
}

describe('error limit under concurrency (issue 7 §1)', () => {
  for (const [callers, calls] of [
    [50, 3],
    [200, 2],
  ] as const) {
    for (const budget of [100, 15]) {
      it(`${callers} callers, budget ${budget}, proactive stop on: no 420 at all`, async () => {
        const h = await start({ limits: { errorLimit: budget, errorWindowSeconds: 60 } });
        const outcomes = await errorStorm(h, callers, calls);
        record(`${callers}x${calls} budget ${budget} stop on`, h, outcomes);
        const audit = h.sim.audit();
        expect(outcomes).toHaveLength(callers * calls);
        expect(outcomes.every((o) => o === 'ESIKIT_HTTP')).toBe(true);
        expect(requestsAfter420(audit)).toBe(0);
        expect(audit.filter((e) => e.status === 420)).toHaveLength(0);
      });

      it(`${callers} callers, budget ${budget}, proactive stop off: nothing sent after a 420`, async () => {
        const h = await start(
          { limits: { errorLimit: budget, errorWindowSeconds: 60 } },
          { errorLimitThreshold: 0 },
        );
        const outcomes = await errorStorm(h, callers, calls);
        record(`${callers}x${calls} budget ${budget} stop off`, h, outcomes);
        expect(outcomes).toHaveLength(callers * calls);
        expect(outcomes.every((o) => o === 'ESIKIT_HTTP' || o === 'ESIKIT_ERROR_LIMITED')).toBe(
          true,
        );
        expect(requestsAfter420(h.sim.audit())).toBe(0);
      });
    }
  }
});

describe('rate-limit buckets under concurrency (issue 7 §1)', () => {
  it('200 concurrent callers on one known group never draw a 429', async () => {
    const h = await start({
      limits: { groups: { 'market-order': { maxTokens: 100, windowMs: 60_000 } } },
    });
    const orders = (typeId: number): Promise<unknown> =>
      h.esi.request('GetMarketsRegionIdOrders', { region_id: 10000002, type_id: typeId }).result();
    // One answer tells the client the bucket's real size.
    await orders(34);
    const all = Promise.all(Array.from({ length: 200 }, (_, i) => orders(35 + i)));
    const results = await drive(h, all, 60_000);
    record('200 callers, market-order bucket of 100/60s', h);
    expect(results).toHaveLength(200);
    const statuses = h.sim.audit().map((e) => e.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(0);
    expect(statuses).toHaveLength(201);
  });
});

/** A remote-like store: reads see the data as it was when asked, writes land after a delay. */
class SlowStore implements CacheStore {
  readonly #inner = new MemoryCacheStore();
  readonly #getMs: number;
  readonly #setMs: number;
  constructor(getMs: number, setMs = getMs) {
    this.#getMs = getMs;
    this.#setMs = setMs;
  }
  async get(key: string): Promise<CacheEntry | undefined> {
    const hit = this.#inner.get(key);
    await tick(this.#getMs);
    return hit === undefined ? undefined : structuredClone(hit);
  }
  async set(key: string, entry: CacheEntry, ttlMs: number): Promise<void> {
    await tick(this.#setMs);
    this.#inner.set(key, structuredClone(entry), ttlMs);
  }
}

describe('async cache store with latency (issue 7 §1)', () => {
  it('a second identical GET arriving while the first is being stored does not reach ESI', async () => {
    const h = await start({}, { cache: new SlowStore(60, 5) });
    const a = h.esi.request('GetAlliances').result();
    while (h.seen('GetAlliances') < 1) await tick(2);
    const b = h.esi.request('GetAlliances').result();
    const [ra, rb] = await Promise.all([a, b]);
    expect(rb).toEqual(ra);
    expect(h.seen('GetAlliances')).toBe(1);
  });

  it('twenty identical concurrent GETs make one request', async () => {
    const h = await start({}, { cache: new SlowStore(15) });
    const all = await Promise.all(
      Array.from({ length: 20 }, () => h.esi.request('GetAlliances').result()),
    );
    expect(new Set(all.map((x) => JSON.stringify(x))).size).toBe(1);
    expect(h.seen('GetAlliances')).toBe(1);
  });
});

describe('a write that acts for a character is never re-sent once ESI may have acted (issue 7 §1)', () => {
  const LABELS = 'esi-mail.organize_mail.v1';

  it('POST whose 2xx body is cut short', async () => {
    const h = await start({
      faults: {
        failNext: {
          count: 1,
          with: 'truncate',
          operationId: 'PostCharactersCharacterIdMailLabels',
        },
      },
    });
    const t = await h.token(0, [LABELS]);
    const e = await h.esi
      .request(
        'PostCharactersCharacterIdMailLabels',
        { character_id: t.characterId },
        { token: t.accessToken, body: { name: 'Intel' } },
      )
      .result()
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsikitError);
    expect(['ESIKIT_NETWORK', 'ESIKIT_BAD_RESPONSE']).toContain((e as EsikitError).code);
    expect(h.seen('PostCharactersCharacterIdMailLabels')).toBe(1);
  });

  it('PUT answered 2xx with a complete body that is not JSON', async () => {
    // A real server on loopback: the simulator always sends valid JSON in full.
    let seen = 0;
    const server = createServer((req, res) => {
      seen += 1;
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end('<html>gateway page</html>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const esi = createEsiClient({
      ...APP,
      baseUrl: `http://127.0.0.1:${port}`,
      trustRawTokens: true,
    });
    try {
      const e = await esi
        .request(
          'PutCharactersCharacterIdMailMailId',
          { character_id: 90000001, mail_id: 1 },
          { token: fakeToken(90000001, [LABELS]), body: { read: true } },
        )
        .result()
        .catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'ESIKIT_BAD_RESPONSE' });
      expect((e as Error).message).toMatch(/not sent again/);
      expect(seen).toBe(1);
    } finally {
      await esi.close();
      await new Promise((r) => server.close(r));
    }
  });

  for (const [method, id, params] of [
    ['PUT', 'PutCharactersCharacterIdMailMailId', { mail_id: 1 }],
    ['DELETE', 'DeleteCharactersCharacterIdMailLabelsLabelId', { label_id: 9 }],
    ['POST', 'PostCharactersCharacterIdMailLabels', {}],
  ] as const) {
    it(`${method}: a connection reset after the request was written`, async () => {
      const h = await start({ faults: { failNext: { count: 1, with: 'reset', operationId: id } } });
      const t = await h.token(0, [LABELS]);
      const e = await h.esi
        .request(
          id,
          { character_id: t.characterId, ...params },
          {
            token: t.accessToken,
            body:
              method === 'DELETE'
                ? undefined
                : method === 'PUT'
                  ? { read: true }
                  : { name: 'Intel' },
          },
        )
        .result()
        .catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'ESIKIT_NETWORK' });
      expect(h.seen(id)).toBe(1);
    });

    it(`${method}: a timeout`, async () => {
      const h = await start({ faults: { routes: { [id]: { latencyMs: 300 } } } });
      const t = await h.token(0, [LABELS]);
      const e = await h.esi
        .request(
          id,
          { character_id: t.characterId, ...params },
          {
            token: t.accessToken,
            body:
              method === 'DELETE'
                ? undefined
                : method === 'PUT'
                  ? { read: true }
                  : { name: 'Intel' },
          },
        )
        .result({ timeout: 40 })
        .catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'ESIKIT_TIMEOUT' });
      // The simulator logs a request when it answers (after its 300 ms): wait for the first,
      // then long enough for a re-send made at once to be logged too.
      for (let i = 0; i < 500 && h.seen(id) < 1; i++) await tick(10);
      await tick(400);
      expect(h.seen(id)).toBe(1);
    });
  }

  it('an EsiHttpError for a refused write is still typed', async () => {
    const h = await start();
    const t = await h.token(0, [LABELS]);
    await expect(
      h.esi
        .request(
          'DeleteCharactersCharacterIdMailLabelsLabelId',
          { character_id: t.characterId + 1, label_id: 9 },
          { token: t.accessToken },
        )
        .result(),
    ).rejects.toBeInstanceOf(EsiHttpError);
  });
});
