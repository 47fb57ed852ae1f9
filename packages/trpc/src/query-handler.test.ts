// createQueryHandler against tRPC's own fetchRequestHandler on the same router: every answer it
// gives is the same status, headers and body, onError hears the same, and every request it
// declines is declined before anything runs (no context, no ESI request).
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { ResponseMeta, TRPCRequestInfo } from '@trpc/server/http';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startApp,
  type AppContext,
  type AppRouter,
  type TestApp,
  closeClean,
} from '../test/app.js';
import { esiResponseMeta } from './cache-control.js';
import { createQueryHandler } from './query-handler.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => closeClean(app));

interface Heard {
  readonly code: string;
  readonly path: string | undefined;
  readonly input: unknown;
}

/** Both handlers over one router, with the options the test app's server uses. */
function handlers(responseMeta: (opts: Parameters<typeof esiResponseMeta>[0]) => ResponseMeta) {
  const heard: { fast: Heard[]; trpc: Heard[] } = { fast: [], trpc: [] };
  let contexts = 0;
  // The same context from either handler's request: a user header, or a store that is down.
  const contextOf = (
    header: (name: string) => string | null | undefined,
    info: TRPCRequestInfo,
  ): AppContext => {
    contexts++;
    if (header('x-fail')) throw new Error('the session store is down');
    const user = header('x-user') ?? undefined;
    return { userId: user, sessionKey: undefined, requestId: `r-${String(info.isBatchCall)}` };
  };
  const fast = createQueryHandler<AppRouter>({
    router: app.router,
    createContext: ({ req, info }) => contextOf(req.header, info),
    responseMeta,
    onError: ({ error, path, input }) => heard.fast.push({ code: error.code, path, input }),
  });
  return {
    heard,
    contexts: () => contexts,
    fast,
    /** The fast answer (or undefined) and tRPC's, for one GET request. */
    async both(url: string, headers: Record<string, string> = {}) {
      const [path = '', search = ''] = url.split('?');
      const header = (name: string) => headers[name];
      const signal = new AbortController().signal;
      const answer = await fast({ method: 'GET', path, search, header, signal });
      const response = await fetchRequestHandler({
        endpoint: '/trpc',
        req: new Request(`http://x/trpc/${url}`, { headers }),
        router: app.router,
        createContext: ({ req, info }) => contextOf((name) => req.headers.get(name), info),
        responseMeta,
        onError: ({ error, path: p, input }) =>
          heard.trpc.push({ code: error.code, path: p, input }),
      });
      const trpcHeaders: Record<string, string | string[]> = {};
      response.headers.forEach((value, key) => {
        if (key !== 'set-cookie') trpcHeaders[key] = value;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) trpcHeaders['set-cookie'] = cookies;
      return {
        fast: answer && { ...answer, body: withoutStacks(answer.body) },
        trpc: {
          status: response.status,
          headers: trpcHeaders,
          body: withoutStacks(await response.text()),
        },
      };
    },
  };
}

/** The body with tRPC's dev-mode stack traces taken out: the call stacks differ, by design. */
const withoutStacks = (body: string): string => body.replace(/"stack":"(?:[^"\\]|\\.)*",?/g, '');

const input = (value: unknown): string =>
  encodeURIComponent(JSON.stringify(superjson.serialize(value)));
const batchInput = (values: unknown[]): string =>
  encodeURIComponent(
    JSON.stringify(Object.fromEntries(values.map((v, i) => [i, superjson.serialize(v)]))),
  );

describe('createQueryHandler answers as tRPC does', () => {
  const cases: [string, string, Record<string, string>?][] = [
    ['a public ESI query', 'esi.status.getStatus'],
    [
      'a public ESI query with input',
      `esi.alliance.getAlliancesAllianceId?input=${input({ alliance_id: 99000001 })}`,
    ],
    [
      'a batch of public queries',
      `esi.status.getStatus,esi.market.getMarketsPrices?batch=1&input=${batchInput([undefined, undefined])}`,
    ],
    [
      'a batch with an ESI 404 (207)',
      `esi.status.getStatus,esi.alliance.getAlliancesAllianceId?batch=1&input=${batchInput([undefined, { alliance_id: 1 }])}`,
    ],
    [
      'input that fails validation',
      `esi.alliance.getAlliancesAllianceId?input=${input({ alliance_id: 'x' })}`,
    ],
    [
      'a private query without a user',
      `esi.wallet.getCharactersCharacterIdWallet?input=${input({ character_id: 0 })}`,
    ],
    ['the app procedure (superjson Date)', 'hello'],
    ['a batch without input', 'hello,hello?batch=1'],
    ['a context that throws', 'esi.status.getStatus', { 'x-fail': '1' }],
    ['a batch whose context throws', 'hello,esi.status.getStatus?batch=1', { 'x-fail': '1' }],
  ];
  it.each(cases)('%s', async (_name, url, headers) => {
    const h = handlers(esiResponseMeta);
    const { fast, trpc } = await h.both(url, headers);
    expect(fast).toBeDefined();
    expect(fast).toEqual(trpc);
    expect(h.heard.fast).toEqual(h.heard.trpc);
  });

  it("a user's private query, and another user's character refused", async () => {
    const h = handlers(esiResponseMeta);
    const own = `esi.wallet.getCharactersCharacterIdWallet?input=${input({ character_id: app.chars.a1 })}`;
    const mine = await h.both(own, { 'x-user': app.users.alice });
    expect(mine.fast).toEqual(mine.trpc);
    expect(mine.fast!.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
    const theirs = await h.both(own, { 'x-user': app.users.bob });
    expect(theirs.fast).toEqual(theirs.trpc);
    expect(theirs.fast!.status).toBe(403);
    expect(h.heard.fast).toEqual(h.heard.trpc);
  });

  it('a responseMeta with a Headers object, cookies and a status', async () => {
    const h = handlers(() => {
      const headers = new Headers([['x-a', '1']]);
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2');
      headers.append('vary', 'cookie');
      return { status: 299, headers };
    });
    const { fast, trpc } = await h.both('hello');
    expect(fast).toEqual(trpc);
    expect(fast!.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });
});

describe('createQueryHandler answers as tRPC does when responseMeta', () => {
  it('returns a record: its strings set, its arrays appended, then added to tRPC’s own', async () => {
    const h = handlers(() => ({
      headers: { vary: 'cookie', 'content-type': 'text/plain', 'x-list': ['a', 'b'] },
    }));
    const { fast, trpc } = await h.both('esi.status.getStatus');
    expect(fast).toEqual(trpc);
    expect(fast!.headers.vary).toBe('trpc-accept, accept, cookie');
  });

  it('throws: a 500 in tRPC’s envelope, onError told without path or input', async () => {
    const h = handlers((opts) => {
      if (opts.errors.length === 0) throw new Error('responseMeta failed');
      return {};
    });
    const { fast, trpc } = await h.both('hello');
    expect(fast).toEqual(trpc);
    expect(fast!.status).toBe(500);
    expect(h.heard.fast).toEqual(h.heard.trpc);
    expect(h.heard.fast).toEqual([
      { code: 'INTERNAL_SERVER_ERROR', path: undefined, input: undefined },
    ]);
  });

  it('a batch whose second call fails before reading its input: both report the inputs as tRPC does', async () => {
    const h = handlers(esiResponseMeta);
    const url = `esi.alliance.getAlliancesAllianceId,esi.wallet.getCharactersCharacterIdWallet?batch=1&input=${batchInput([{ alliance_id: 99000001 }, { character_id: app.chars.a1 }])}`;
    const { fast, trpc } = await h.both(url);
    expect(fast).toEqual(trpc);
    expect(h.heard.fast).toEqual(h.heard.trpc);
  });
});

describe('createQueryHandler declines what is not a plain GET query, before running it', () => {
  const declined: [string, string, Record<string, string>?, string?][] = [
    ['a mutation', `singleUse?input=${input({ ssoCallback: 'x' })}`],
    ['an unknown path', 'esi.nothing.here'],
    ['an encoded path', 'esi.status.get%53tatus'],
    ['a mix of a query and an unknown path', 'hello,nothing?batch=1'],
    ['input that is not JSON', 'hello?input=%7Bnope'],
    ['batch input that is not an object', `hello?batch=1&input=${encodeURIComponent('[1]')}`],
    ['another parameter', 'hello?connectionParams=1'],
    ['a streamed batch', 'hello?batch=1', { 'trpc-accept': 'application/jsonl' }],
    ['a JSONL accept', 'hello?batch=1', { accept: 'application/jsonl' }],
    ['a content type', 'hello', { 'content-type': 'application/json' }],
    ['a POST', 'hello', {}, 'POST'],
    ['a HEAD', 'hello', {}, 'HEAD'],
  ];
  it.each(declined)('%s', (_name, url, headers = {}, method = 'GET') => {
    const h = handlers(esiResponseMeta);
    const before = app.sim.audit().length;
    const [path = '', search = ''] = url.split('?');
    const answer = h.fast({
      method,
      path,
      search,
      header: (name) => headers[name],
      signal: new AbortController().signal,
    });
    expect(answer).toBeUndefined();
    expect(h.contexts()).toBe(0);
    expect(app.sim.audit().length).toBe(before);
  });
});
