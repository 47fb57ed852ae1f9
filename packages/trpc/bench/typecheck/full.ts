// Type-checking benchmark: an app that mounts the full ESI router and calls it from a typed client.
import { createEsiClient } from '@esikit/core';
import { createEsiRouter } from '@esikit/trpc';
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
  esi: await createEsiRouter(t, { esi, userId: (ctx) => ctx.userId }),
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
