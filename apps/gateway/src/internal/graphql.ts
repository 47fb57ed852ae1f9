// /graphql: the ESI schema (@esikit/graphql's Yoga plugin) with the session's user as the
// viewer, and GraphiQL served offline (render-graphiql inlines its assets; Yoga's default page
// loads them from a CDN and stays blank without internet).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { useEsi } from '@esikit/graphql';
import type { GatewayContext } from './context.js';
import { DATABASE_UNAVAILABLE } from './security.js';

interface ServerContext {
  readonly req: FastifyRequest;
  readonly reply: FastifyReply;
}

/** Preloaded in GraphiQL's tabs. */
export const EXAMPLE_QUERIES: readonly { readonly title: string; readonly query: string }[] = [
  {
    title: 'My characters',
    query: `# Your characters, each read with its own token (log in on the home page first)
query MyCharacters {
  viewer {
    characters {
      id
      name
      wallet
      skills {
        total_sp
      }
      corporation {
        name
        ticker
      }
    }
  }
}
`,
  },
  {
    title: 'Server status',
    query: `# Public: no login needed
query Status {
  status {
    players
    server_version
    start_time
  }
}
`,
  },
  {
    title: 'Jita orders',
    query: `# A market page with linked type and system names (one batched names lookup)
query JitaTritanium {
  marketsOrders(region_id: 10000002, type_id: 34, order_type: sell, page: 1) {
    order_id
    price
    volume_remain
    is_buy_order
    type {
      name
    }
    system {
      name
    }
  }
}
`,
  },
];

/**
 * The session could not be read (the database is down): the whole request is a 503 with one
 * GraphQL error. `http` is Yoga's: it sets the status and is not sent.
 */
function databaseUnavailable(): GraphQLError {
  return new GraphQLError(DATABASE_UNAVAILABLE, {
    extensions: {
      code: 'DATABASE_UNAVAILABLE',
      esikitCode: 'ESIKIT_GATEWAY_STORE_FAILED',
      http: { status: 503 },
    },
  });
}

export async function registerGraphql(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const yoga = createYoga<ServerContext>({
    graphqlEndpoint: '/graphql',
    logging: {
      debug: (...args: unknown[]) => app.log.debug({ graphql: args.map(String) }, 'graphql'),
      info: (...args: unknown[]) => app.log.info({ graphql: args.map(String) }, 'graphql'),
      warn: (...args: unknown[]) => app.log.warn({ graphql: args.map(String) }, 'graphql'),
      error: (...args: unknown[]) => app.log.error({ graphql: args.map(String) }, 'graphql'),
    },
    landingPage: false,
    // render-graphiql inlines GraphiQL's assets (≈ 0.5 s to import): loaded with the first page.
    renderGraphiQL: async (opts) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(opts),
    graphiql: (_request, server) => ({
      title: 'esikit — ESI GraphiQL',
      defaultTabs: EXAMPLE_QUERIES.map((q) => ({ query: q.query })),
      // GraphiQL's POSTs are state-changing requests like any other: they carry the token.
      ...(server?.req.session
        ? { additionalHeaders: { 'x-csrf-token': server.req.session.csrf } }
        : {}),
      subscriptionsProtocol: 'SSE',
    }),
    plugins: [
      useEsi({
        esi: ctx.esi,
        tokens: ctx.tokens,
        ...(ctx.sim ? { clock: () => ctx.sim!.clock.now() } : {}),
        user: (context) => {
          const { req } = context as unknown as ServerContext;
          if (req.sessionFailure) throw databaseUnavailable();
          return req.session?.userId;
        },
      }),
    ],
  });

  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    handler: async (req, reply) => {
      const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
      response.headers.forEach((value, key) => void reply.header(key, value));
      reply.status(response.status);
      // Streams (subscriptions over SSE, incremental delivery) go out as streams; a plain answer is
      // read whole first: Fastify sends a string far cheaper than it pipes a web stream.
      const type = response.headers.get('content-type') ?? '';
      if (response.body === null || type.includes('event-stream') || type.includes('multipart'))
        return reply.send(response.body);
      return reply.send(Buffer.from(await response.arrayBuffer()));
    },
  });
}
