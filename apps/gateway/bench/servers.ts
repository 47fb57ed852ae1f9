// Child processes of the gateway benchmark: `gateway` (the real gateway, simulated ESI, embedded
// database in memory, logging off) or `yoga-hello` (the baseline: a bare graphql-yoga hello-world
// on Fastify, mounted the way the gateway mounts Yoga). Each tells the parent its URL over IPC and
// answers `stats` messages with its RSS (and, for the gateway, the simulator's violations).
import Fastify from 'fastify';
import { createSchema, createYoga } from 'graphql-yoga';
import { loadConfig } from '../src/config.js';
import { startGateway } from '../src/gateway.js';

type Stats = { rss: number; violations?: Record<string, number> };

async function gateway(): Promise<{ url: string; stats: () => Stats; close: () => Promise<void> }> {
  const config = loadConfig({
    PORT: '0',
    ESIKIT_DB_DIR: ':memory:',
    ESIKIT_HOUSEKEEPING_INTERVAL_S: '0',
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
process.on('message', (m: { type: string }) => {
  if (m.type === 'stats') process.send!({ type: 'stats', ...server.stats() });
  if (m.type === 'close') void server.close().then(() => process.exit(0));
});
