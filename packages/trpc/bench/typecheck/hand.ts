// Type-checking benchmark baseline: the same app with three hand-written procedures.
import { createEsiClient } from '@esikit/core';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import superjson from 'superjson';

const esi = createEsiClient({
  appInfo: { name: 'bench', version: '1' },
  contactEmail: 'b@e.invalid',
});
const t = initTRPC.context<{ userId: string | undefined }>().create({ transformer: superjson });
const appRouter = t.router({
  esi: {
    status: {
      getStatus: t.procedure.query(() => esi.request('GetStatus').result()),
    },
    market: {
      getMarketsRegionIdOrders: t.procedure
        .input(esi.inputSchema('GetMarketsRegionIdOrders'))
        .query(({ input }) => esi.request('GetMarketsRegionIdOrders', input).result()),
    },
    universe: {
      postUniverseNames: t.procedure
        .input(esi.inputSchema('PostUniverseNames'))
        .query(({ input }) => esi.request('PostUniverseNames', {}, { body: input.body }).result()),
    },
  },
  hello: t.procedure.query(() => 'hi'),
});
const trpc = createTRPCClient<typeof appRouter>({
  links: [httpBatchLink({ url: 'http://127.0.0.1:9', transformer: superjson })],
});
const status = await trpc.esi.status.getStatus.query();
const orders = await trpc.esi.market.getMarketsRegionIdOrders.query({ region_id: 10000002 });
const names = await trpc.esi.universe.postUniverseNames.query({ body: [30000142] });
const players: number = status.players;
const firstPrice: number | undefined = orders[0]?.price;

console.log(status, orders, names, players, firstPrice);
createHTTPServer({ router: appRouter, createContext: () => ({ userId: undefined }) }).listen(0);
