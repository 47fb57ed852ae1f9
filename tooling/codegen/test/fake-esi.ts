// A loopback stand-in for esi.evetech.net's /meta routes, with ETags and 304s like the real one.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received. */
export interface SeenRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly status: number;
}

/** A running fake ESI. Mutate `specs`/`dates`/`failWith` between calls to change what it serves. */
export interface FakeEsi {
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Spec bytes by compatibility date. */
  readonly specs: Map<string, Buffer>;
  /** What `/meta/compatibility-dates` lists. */
  dates: string[];
  /** When set and returning a status, the request is answered with it (and `failHeaders`). */
  fail: ((path: string, headers: IncomingHttpHeaders) => number | undefined) | undefined;
  failHeaders: Record<string, string>;
  close(): Promise<void>;
}

/** The ETag the fake gives some bytes. */
export function etagOf(bytes: Buffer): string {
  return `"${createHash('sha256').update(bytes).digest('hex').slice(0, 20)}"`;
}

/** Starts a fake ESI on 127.0.0.1, port 0. */
export async function startFakeEsi(): Promise<FakeEsi> {
  const requests: SeenRequest[] = [];
  const state = {
    dates: [] as string[],
    fail: undefined as FakeEsi['fail'],
    failHeaders: {} as Record<string, string>,
  };
  const specs = new Map<string, Buffer>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const answer = (
      status: number,
      body?: string | Buffer,
      headers: Record<string, string> = {},
    ) => {
      requests.push({ path, headers: req.headers, status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    const failure = state.fail?.(path, req.headers);
    if (failure !== undefined) return answer(failure, '{"error":"unavailable"}', state.failHeaders);
    if (req.method !== 'GET') return answer(405, '{"error":"method"}');
    if (path === '/meta/compatibility-dates') {
      return answer(200, JSON.stringify({ compatibility_dates: state.dates }));
    }
    if (path === '/meta/openapi.json') {
      const date = req.headers['x-compatibility-date'];
      const bytes = typeof date === 'string' ? specs.get(date) : undefined;
      if (bytes === undefined) return answer(400, '{"error":"Invalid compatibility date"}');
      const etag = etagOf(bytes);
      if (req.headers['if-none-match'] === etag) return answer(304, undefined, { etag });
      return answer(200, bytes, { etag });
    }
    return answer(404, '{"error":"Not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    specs,
    get dates() {
      return state.dates;
    },
    set dates(value) {
      state.dates = value;
    },
    get fail() {
      return state.fail;
    },
    set fail(value) {
      state.fail = value;
    },
    get failHeaders() {
      return state.failHeaders;
    },
    set failHeaders(value) {
      state.failHeaders = value;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A URL on loopback where nothing listens: a port that was just freed. */
export async function unreachableUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
