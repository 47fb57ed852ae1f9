// Child processes of the gateway benchmark: `gateway` (the real gateway, simulated ESI, embedded
// database in memory, logging off) or `yoga-hello` (the baseline: a bare graphql-yoga hello-world
// on Fastify, mounted the way the gateway mounts Yoga). Each tells the parent its URL over IPC and
// answers `stats` messages with its RSS (and, for the gateway, the simulator's violations).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import Fastify from 'fastify';
import { createSchema, createYoga } from 'graphql-yoga';
import type * as ConfigModule from '../src/config.js';
import type * as GatewayModule from '../src/gateway.js';

// ESIKIT_BENCH_GATEWAY_SRC points at another copy of src/ (e.g. `git archive` of an older
// commit) so bench/ab.ts can alternate an old and a new gateway in one run.
const src = new URL(`${process.env.ESIKIT_BENCH_GATEWAY_SRC ?? '../src'}/`, import.meta.url);
const { loadConfig } = (await import(new URL('config.ts', src).href)) as typeof ConfigModule;
const { startGateway } = (await import(new URL('gateway.ts', src).href)) as typeof GatewayModule;

type Stats = { rss: number; violations?: Record<string, number> };

async function gateway(): Promise<{ url: string; stats: () => Stats; close: () => Promise<void> }> {
  const config = loadConfig({
    PORT: '0',
    ESIKIT_DB_DIR: ':memory:',
    ESIKIT_HOUSEKEEPING_INTERVAL_S: '0',
    // bench/run.ts measures tRPC with the shared answer cache on (the default) and off.
    ESIKIT_ANSWER_CACHE_MB: process.env.ESIKIT_ANSWER_CACHE_MB,
  });
  const gw = await startGateway(config, { logStream: false });
  return {
    url: gw.url,
    stats: () => ({
      rss: process.memoryUsage().rss,
      violations: { ...gw.simulator!.stats().violations },
    }),
    close: () => gw.close(),
  };
}

async function yogaHello(): Promise<{
  url: string;
  stats: () => Stats;
  close: () => Promise<void>;
}> {
  const app = Fastify({ logger: false });
  const yoga = createYoga<{ req: unknown; reply: unknown }>({
    schema: createSchema({
      typeDefs: 'type Query { hello: String! }',
      resolvers: { Query: { hello: () => 'world' } },
    }),
    logging: false,
    landingPage: false,
  });
  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    handler: async (req, reply) => {
      const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
      response.headers.forEach((value, key) => void reply.header(key, value));
      reply.status(response.status);
      return reply.send(response.body);
    },
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, stats: () => ({ rss: process.memoryUsage().rss }), close: () => app.close() };
}

const kind = process.argv[2];
const server =
  kind === 'gateway' ? await gateway() : kind === 'yoga-hello' ? await yogaHello() : undefined;
if (!server) throw new Error(`usage: servers.ts gateway|yoga-hello, got ${String(kind)}`);
process.send!({ type: 'ready', url: server.url });
// bench/profile.ts profiles only the measured load, not start-up and warm-up.
const inspector = new Session();
process.on('message', (m: { type: string; file?: string }) => {
  if (m.type === 'stats') {
    // With --expose-gc (bench/run.ts passes it) RSS is read after two full collections: what the
    // process holds, not where the collector happened to be in its cycle.
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const cpu = process.cpuUsage();
    // CPU time (µs) lets bench/ab.ts compare cost per request even on a busy machine.
    process.send!({ type: 'stats', ...server.stats(), cpuUs: cpu.user + cpu.system });
  }
  if (m.type === 'close') void server.close().then(() => process.exit(0));
  if (m.type === 'profile-start') {
    inspector.connect();
    void inspector
      .post('Profiler.enable')
      .then(() => inspector.post('Profiler.start'))
      .then(() => process.send!({ type: 'profiling' }));
  }
  if (m.type === 'profile-stop')
    void inspector.post('Profiler.stop').then(({ profile }) => {
      writeFileSync(m.file!, JSON.stringify(profile));
      process.send!({ type: 'profiled' });
    });
});
