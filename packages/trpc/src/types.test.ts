// Compile-only checks of the router's inference on a real `createTRPCClient<AppRouter>` (tsc fails
// the typecheck when one breaks; each `@ts-expect-error` must be an error). Nothing is sent.
import { describe, expectTypeOf, it } from 'vitest';
import type { EsiClient, EsikitErrorCode, EsiResult, CursorItem } from '@esikit/core';

type MarketsRegionIdOrdersGet = EsiResult<'GetMarketsRegionIdOrders'>;
type StatusGet = EsiResult<'GetStatus'>;
type Job = CursorItem<EsiResult<'GetFreelanceJobsListing'>>;
import { createTRPCClient, httpBatchLink, type TRPCClientError } from '@trpc/client';
import { initTRPC } from '@trpc/server';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import superjson from 'superjson';
import type { AppRouter } from '../test/app.js';
import {
  createEsiRouter,
  type EsiCursorOutput,
  type EsiFromIdOutput,
  type EsiWithMetadata,
} from './index.js';

declare const esi: EsiClient;

const trpc = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: 'http://127.0.0.1:9', transformer: superjson })],
});
const typeOnly = (check: () => unknown): void => void check;

describe('router types', () => {
  it('infers input and output from the generated types', () =>
    typeOnly(() => {
      expectTypeOf(
        trpc.esi.market.getMarketsRegionIdOrders.query({ region_id: 10000002 }),
      ).resolves.toEqualTypeOf<MarketsRegionIdOrdersGet>();
      expectTypeOf(trpc.esi.status.getStatus.query()).resolves.toEqualTypeOf<StatusGet>();
      expectTypeOf(
        trpc.esi.freelanceJobs.getFreelanceJobsListing.query({ after: 'x' }),
      ).resolves.toEqualTypeOf<EsiCursorOutput<Job>>();
      expectTypeOf(
        trpc.esi.wallet.getCharactersCharacterIdWalletTransactions.query({ character_id: 1 }),
      ).resolves.toEqualTypeOf<
        EsiFromIdOutput<EsiResult<'GetCharactersCharacterIdWalletTransactions'>[number]>
      >();
      type Inputs = inferRouterInputs<AppRouter>;
      type Orders = Inputs['esi']['market']['getMarketsRegionIdOrders'];
      expectTypeOf<Orders['region_id']>().toEqualTypeOf<number>();
      expectTypeOf<Orders['order_type']>().toEqualTypeOf<'buy' | 'sell' | 'all' | undefined>();
      expectTypeOf<Orders['allPages']>().toEqualTypeOf<boolean | undefined>();
      expectTypeOf<Orders['page']>().toEqualTypeOf<number | undefined>();
      type Outputs = inferRouterOutputs<AppRouter>;
      expectTypeOf<Outputs['hello']['at']>().toEqualTypeOf<Date>(); // superjson, the app's own
    }));

  it('refuses wrong params, wrong enum values and missing required ones', () =>
    typeOnly(() => {
      // @ts-expect-error: region_id is a number
      void trpc.esi.market.getMarketsRegionIdOrders.query({ region_id: '10000002' });
      // @ts-expect-error: not an order_type
      void trpc.esi.market.getMarketsRegionIdOrders.query({ region_id: 1, order_type: 'both' });
      // @ts-expect-error: region_id is required
      void trpc.esi.market.getMarketsRegionIdOrders.query({});
      // @ts-expect-error: no such parameter
      void trpc.esi.status.getStatus.query({ nope: 1 });
      // @ts-expect-error: paging fields only where the operation pages that way
      void trpc.esi.status.getStatus.query({ page: 2 });
      // @ts-expect-error: cursor tokens are strings
      void trpc.esi.freelanceJobs.getFreelanceJobsListing.query({ after: 1 });
      // @ts-expect-error: corporation routes need the acting character
      void trpc.esi.wallet.getCorporationsCorporationIdWallets.query({ corporation_id: 1 });
      void trpc.esi.wallet.getCorporationsCorporationIdWallets.query({
        corporation_id: 1,
        asCharacter: 2,
      });
    }));

  it('queries are queries, mutations mutations, lookups queries', () =>
    typeOnly(() => {
      // @ts-expect-error: a GET has no .mutate
      void trpc.esi.status.getStatus.mutate();
      // POST lookups without a scope are queries
      expectTypeOf(
        trpc.esi.universe.postUniverseNames.query({ body: [30000142] }),
      ).resolves.toEqualTypeOf<EsiResult<'PostUniverseNames'>>();
      // @ts-expect-error: a write is no query
      void trpc.esi.mail.postCharactersCharacterIdMail.query;
      expectTypeOf(trpc.esi.mail.postCharactersCharacterIdMail.mutate).toBeFunction();
      expectTypeOf(trpc.esi.contacts.deleteCharactersCharacterIdContacts.mutate).toBeFunction();
    }));

  it('has live subscriptions for GETs, typed, and none for cursor routes or writes', () =>
    typeOnly(() => {
      expectTypeOf(trpc.esi.live.status.getStatus.subscribe).toBeFunction();
      const sub = trpc.esi.live.market.getMarketsRegionIdOrders.subscribe(
        { region_id: 10000002 },
        { onData: (orders) => expectTypeOf(orders).toEqualTypeOf<MarketsRegionIdOrdersGet>() },
      );
      sub.unsubscribe();
      // @ts-expect-error: cursor routes have no live form
      void trpc.esi.live.freelanceJobs.getFreelanceJobsListing;
      // @ts-expect-error: writes have no live form
      void trpc.esi.live.mail.postCharactersCharacterIdMail;
    }));

  it("types the app's error formatter fields", () =>
    typeOnly(() => {
      type Data = NonNullable<TRPCClientError<AppRouter>['data']>;
      expectTypeOf<Data['esiCode']>().toEqualTypeOf<EsikitErrorCode | null>();
      expectTypeOf<Data['retryAfter']>().toEqualTypeOf<number | null>();
      expectTypeOf<Data['app']>().toEqualTypeOf<string>();
    }));
});

describe('selection and metadata types', () => {
  it('drops what include/exclude drop, and wraps results with withMetadata', () =>
    typeOnly(async () => {
      const t = initTRPC.create();
      const router = await createEsiRouter(t, {
        esi,
        include: { tags: ['Market'], operations: ['GetStatus'] },
        exclude: { operations: ['GetMarketsPrices'] },
        withMetadata: true,
      });
      const caller = t.createCallerFactory(router)({});
      expectTypeOf(caller.market.getMarketsRegionIdOrders({ region_id: 1 })).resolves.toEqualTypeOf<
        EsiWithMetadata<MarketsRegionIdOrdersGet>
      >();
      expectTypeOf(caller.status.getStatus()).resolves.toEqualTypeOf<EsiWithMetadata<StatusGet>>();
      // @ts-expect-error: excluded
      void caller.market.getMarketsPrices;
      // @ts-expect-error: not included
      void caller.universe;
      const withCtx = initTRPC.context<{ userId: string }>().create();
      // @ts-expect-error: the options' callbacks get the app's own context type
      void createEsiRouter(withCtx, { esi, userId: (ctx) => String(ctx.nope) });
      void createEsiRouter(withCtx, { esi, userId: (ctx) => ctx.userId });
    }));
});
