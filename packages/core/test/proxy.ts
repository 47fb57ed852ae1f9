// A loopback HTTP proxy in front of the simulator that can change what ESI "sent": for the
// regressions that need an answer the simulator never gives (no Last-Modified, a cursor token
// that does not move). Everything else is the simulator's real answer over real HTTP.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

/** One answer on its way back to the client; a rewrite may change any part of it. */
export interface ProxiedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ProxyHooks {
  /** Runs before the request is forwarded (e.g. to move the simulator's clock). */
  readonly beforeForward?: (path: string) => void;
  /** Changes the simulator's answer before the client sees it. */
  readonly rewrite?: (path: string, answer: ProxiedAnswer) => ProxiedAnswer;
}

export interface Proxy extends AsyncDisposable {
  /** Base URL to give the client instead of `sim.esiUrl`. */
  readonly url: string;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts a proxy on 127.0.0.1, port 0, forwarding to `target` (the simulator's ESI URL). */
export async function startProxy(target: string, hooks: ProxyHooks = {}): Promise<Proxy> {
  const origin = new URL(target).origin;
  const server = createServer((req, res) => {
    void (async () => {
      const path = req.url ?? '/';
      try {
        const body = await readBody(req);
        hooks.beforeForward?.(path);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) {
          if (name === 'host' || HOP_BY_HOP.has(name) || value === undefined) continue;
          headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        const upstream = await request(origin + path, {
          method: (req.method ?? 'GET') as 'GET',
          headers,
          body: body === '' ? null : body,
        });
        let answer: ProxiedAnswer = { status: upstream.statusCode, headers: {}, body: '' };
        for (const [name, value] of Object.entries(upstream.headers)) {
          if (HOP_BY_HOP.has(name) || value === undefined) continue;
          answer.headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        answer.body = await upstream.body.text();
        if (hooks.rewrite) answer = hooks.rewrite(path, answer);
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      } catch (error) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: ${String(error)}`);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const base = new URL(target).pathname.replace(/\/+$/, '');
  return { url: `http://127.0.0.1:${port}${base}`, close, [Symbol.asyncDispose]: close };
}
