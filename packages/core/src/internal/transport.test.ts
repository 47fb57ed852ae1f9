// The transport against a plain HTTP server on loopback: what it reads back is exactly what was
// sent, and an abort or a per-call timeout ends the exchange at once, mid-body included.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTimeout, Transport } from './transport.js';

let server: Server;
let transport: Transport;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/bom') {
      res.setHeader('content-type', 'application/json');
      res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]));
    } else if (req.url === '/repeated') {
      res.setHeader('X-Thing', ['a', 'b']);
      res.setHeader('ETag', '"e"');
      res.end('ünïcødé '.repeat(5_000));
    } else if (req.url === '/stall') {
      // Headers and half a body, then nothing.
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"half":');
    } else {
      res.statusCode = 204;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  transport = new Transport(`http://127.0.0.1:${port}`, {
    connections: 4,
    connectTimeout: 1_000,
    readTimeout: 5_000,
    dispatcher: undefined,
  });
});

afterAll(async () => {
  await transport.close();
  server.closeAllConnections();
  server.close();
});

const get = (path: string, more: { signal?: AbortSignal; timeout?: number } = {}) =>
  transport.send({
    method: 'GET',
    path,
    headers: { 'user-agent': 'esikit-test' },
    body: undefined,
    signal: more.signal,
    timeout: more.timeout,
  });

describe('Transport.send', () => {
  it('drops a byte order mark, as a Fetch body does', async () => {
    const res = await get('/bom');
    expect(res.text).toBe('{"a":1}');
  });

  it('joins repeated headers, lower-cases names and decodes a multi-chunk UTF-8 body', async () => {
    const res = await get('/repeated');
    expect(res.headers['x-thing']).toBe('a, b');
    expect(res.headers.etag).toBe('"e"');
    expect(res.text).toBe('ünïcødé '.repeat(5_000));
  });

  it('reads an empty body', async () => {
    const res = await get('/empty');
    expect(res).toMatchObject({ status: 204, text: '' });
  });

  it('ends with the caller’s reason when aborted mid-body', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const pending = get('/stall', { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
  });

  it('refuses at once with an already aborted signal', async () => {
    const reason = new Error('before start');
    await expect(get('/empty', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('turns a per-call timeout into a timeout error', async () => {
    const error: unknown = await get('/stall', { timeout: 100 }).catch((e: unknown) => e);
    expect(isTimeout(error)).toBe(true);
  });
});
