// Compile-time checks of the typed surface (tsc fails the build when one breaks).
import { describe, expectTypeOf, it } from 'vitest';
import type {
  CharactersCharacterIdNotificationsGet,
  FreelanceJobsDetailFreelancejob,
  FreelanceJobsListing,
  MarketsRegionIdOrdersGet,
} from './generated/index.js';
import type {
  CacheStore,
  EsiClientOptions,
  EsiClientWithTags,
  EsiCursorPage,
  EsiInput,
  EsiPage,
  EsiParams,
  EsiRequestArgs,
  EsiResponse,
} from './index.js';

declare const esi: EsiClientWithTags;
// The checks live in functions that are type-checked but never run: nothing is sent.
const typeOnly = (check: () => void): void => void check;

describe('typed requests', () => {
  it('types params, options and results from the spec', () =>
    typeOnly(() => {
      const orders = esi.request('GetMarketsRegionIdOrders', { region_id: 10000002 });
      expectTypeOf(orders.results()).resolves.toEqualTypeOf<MarketsRegionIdOrdersGet>();
      expectTypeOf(orders.resultWithResponse()).resolves.toEqualTypeOf<
        EsiResponse<MarketsRegionIdOrdersGet>
      >();
      expectTypeOf(esi.Market.getMarketsRegionIdOrders).parameters.toEqualTypeOf<
        EsiRequestArgs<'GetMarketsRegionIdOrders'>
      >();
      expectTypeOf(
        esi.Character.getCharactersCharacterIdNotifications(
          { character_id: 1 },
          { token: 'jwt' },
        ).result(),
      ).resolves.toEqualTypeOf<CharactersCharacterIdNotificationsGet>();
    }));

  it('requires a token on scoped routes and a body where the spec wants one', () =>
    typeOnly(() => {
      // @ts-expect-error — the notifications route needs a token
      esi.request('GetCharactersCharacterIdNotifications', { character_id: 1 });
      // @ts-expect-error — order_type has a default, region_id does not
      esi.request('GetMarketsRegionIdOrders', {});
      // @ts-expect-error — not an enum value
      esi.request('GetMarketsRegionIdOrders', { region_id: 1, order_type: 'any' });
      // @ts-expect-error — /universe/names needs a body
      esi.request('PostUniverseNames', {});
      esi.request('PostUniverseNames', {}, { body: [1, 2] });
      esi.request('GetStatus');
    }));

  it('regression: paging parameters are request options, not params', () =>
    typeOnly(() => {
      // @ts-expect-error — page is chosen with result({ page }); results() walks every page
      esi.request('GetMarketsRegionIdOrders', { region_id: 1, page: 2 });
      // @ts-expect-error — the cursor is the walk's, not a param
      esi.request('GetFreelanceJobsListing', { after: 'token' });
      const transactions = esi.Wallet.getCharactersCharacterIdWalletTransactions;
      // @ts-expect-error — from_id is the walk's, not a param
      transactions({ character_id: 1, from_id: 2 }, { token: 'jwt' });
      esi.request('GetFreelanceJobsListing', { limit: 20 });
      expectTypeOf<EsiParams<'GetMarketsRegionIdOrders'>>().toEqualTypeOf<{
        order_type?: 'buy' | 'sell' | 'all';
        region_id: number;
        type_id?: number;
      }>();
    }));

  it('offers iterators only where the route pages that way', () =>
    typeOnly(() => {
      const jobs = esi.request('GetFreelanceJobsListing').cursor();
      expectTypeOf(jobs.after).toEqualTypeOf<string | undefined>();
      expectTypeOf(jobs).toMatchTypeOf<AsyncIterable<FreelanceJobsDetailFreelancejob>>();
      // @ts-expect-error — /status has no cursor
      void esi.request('GetStatus').cursor;
      const tx = esi
        .request(
          'GetCharactersCharacterIdWalletTransactions',
          { character_id: 1 },
          { token: 'jwt' },
        )
        .fromId();
      expectTypeOf(tx).toMatchTypeOf<AsyncIterable<{ transaction_id: number }>>();
    }));

  it('types the page-wise forms: pages() on X-Pages routes, cursorPage() on cursor routes', () =>
    typeOnly(() => {
      const orders = esi.request('GetMarketsRegionIdOrders', { region_id: 1 }).pages();
      expectTypeOf(orders).toEqualTypeOf<AsyncIterable<EsiPage<MarketsRegionIdOrdersGet>>>();
      expectTypeOf<EsiPage<MarketsRegionIdOrdersGet>['page']>().toEqualTypeOf<number>();
      expectTypeOf<
        EsiPage<MarketsRegionIdOrdersGet>['data']
      >().toEqualTypeOf<MarketsRegionIdOrdersGet>();
      // @ts-expect-error — /status has no pages
      void esi.request('GetStatus').pages;
      const jobs = esi.FreelanceJobs.getFreelanceJobsListing().cursorPage({ after: 'token' });
      expectTypeOf(jobs).resolves.toEqualTypeOf<EsiCursorPage<FreelanceJobsListing>>();
      expectTypeOf<EsiCursorPage<FreelanceJobsListing>['records']>().toEqualTypeOf<
        FreelanceJobsDetailFreelancejob[]
      >();
      expectTypeOf<EsiCursorPage<FreelanceJobsListing>['before']>().toEqualTypeOf<
        string | undefined
      >();
      // @ts-expect-error — X-Pages routes have no cursor
      void esi.request('GetMarketsRegionIdOrders', { region_id: 1 }).cursorPage;
    }));

  it('types results with their metadata, walks included', () =>
    typeOnly(() => {
      const walk = esi
        .request(
          'GetCharactersCharacterIdWalletTransactions',
          { character_id: 1 },
          { token: 'jwt' },
        )
        .resultsWithResponse();
      expectTypeOf(walk).resolves.toMatchTypeOf<{
        expires: number | undefined;
        lastModified: string | undefined;
        etag: string | undefined;
        pages: number | undefined;
        fromCache: boolean;
      }>();
    }));
});

describe('typed options', () => {
  it('accepts the documented shapes and refuses others at compile time', () =>
    typeOnly(() => {
      const ok: EsiClientOptions = {
        compatibilityDate: { default: '2025-12-16', tags: { Market: '2020-01-01' } },
        retries: { server: 2 },
        cache: false,
        userAgentHeader: 'X-User-Agent',
      };
      void ok;
      // @ts-expect-error — not a header the client can use
      const badHeader: EsiClientOptions = { userAgentHeader: 'UA' };
      // @ts-expect-error — timeouts are milliseconds
      const badTimeout: EsiClientOptions = { timeouts: { read: '30s' } };
      void badHeader;
      void badTimeout;
      expectTypeOf<EsiClientOptions['cache']>().toEqualTypeOf<CacheStore | false | undefined>();
    }));
});

describe('EsiInput', () => {
  it('takes the body of an operation without parameters (regression: the params index signature refused it)', () =>
    typeOnly(() => {
      const input: EsiInput<'PostUniverseNames'> = { body: [30000142] };
      expectTypeOf(input.body).toEqualTypeOf<number[]>();
      // @ts-expect-error: still no parameters beside the body
      const bad: EsiInput<'PostUniverseNames'> = { body: [1], region_id: 1 };
      void bad;
    }));
});
