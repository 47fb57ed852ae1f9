// The README's snippets, run against the simulator: if one stops compiling or working, this fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTRPC } from '@trpc/server';
import { NO_VIOLATIONS } from '@esikit/simulator';
import { harness, type Harness } from '../test/helpers.js';
import {
  createEsiClient,
  EsikitError,
  suggestedHttpStatus,
  suggestedRetryAfter,
  type EsiClientWithTags,
} from './index.js';

let h: Harness;
let esi: EsiClientWithTags;
beforeAll(async () => {
  h = await harness();
  esi = createEsiClient({
    appInfo: { name: 'MyCorpTool', version: '1.2.3', url: 'https://github.com/me/mycorptool' },
    contactEmail: 'me@example.com',
    baseUrl: h.sim.esiUrl,
    clock: () => h.sim.clock.now(),
  });
});
afterAll(async () => {
  await esi.close();
  expect(h.sim.stats().violations).toEqual(NO_VIOLATIONS);
  await h.close();
});

describe('README', () => {
  it('public call', async () => {
    const status = await esi.Status.getStatus().result();
    expect(`${status.players} pilots online`).toMatch(/^\d+ pilots online$/);
    const jita = await esi
      .request('GetMarketsRegionIdOrders', { region_id: 10000002, type_id: 34 })
      .result();
    expect(Array.isArray(jita)).toBe(true);
  });

  it('authenticated call', async () => {
    const { characterId, accessToken } = await h.token(0, ['esi-characters.read_notifications.v1']);
    const notifications = await esi.Character.getCharactersCharacterIdNotifications(
      { character_id: characterId },
      { token: accessToken },
    ).result();
    expect(Array.isArray(notifications)).toBe(true);
  });

  it('results()', async () => {
    const orders = await esi.Market.getMarketsRegionIdOrders({ region_id: 10000002 }).results();
    expect(orders.length).toBeGreaterThan(10);
  });

  it('cursor iteration and resuming with after', async () => {
    const walk = esi.FreelanceJobs.getFreelanceJobsListing().cursor();
    const names: string[] = [];
    for await (const job of walk) names.push(`${job.id} ${job.name}`);
    const after = walk.after;
    expect(names.length).toBeGreaterThan(0);
    h.sim.clock.advance(30 * 60_000);
    const changed: string[] = [];
    if (after) {
      for await (const job of esi.FreelanceJobs.getFreelanceJobsListing().cursor({ after })) {
        changed.push(job.id);
      }
    }
    expect(changed.length).toBeGreaterThan(0);
  });

  it('pages() and cursorPage()', async () => {
    const lines: string[] = [];
    for await (const page of esi.Market.getMarketsRegionIdOrders({ region_id: 10000002 }).pages()) {
      lines.push(`page ${page.page} of ${page.pages}: ${page.data.length} orders`);
    }
    expect(lines[0]).toMatch(/^page 1 of \d+: \d+ orders$/);
    const jobs = esi.FreelanceJobs.getFreelanceJobsListing({ limit: 50 });
    const newest = await jobs.cursorPage();
    const older = newest.before ? await jobs.cursorPage({ before: newest.before }) : undefined;
    expect(newest.records.length).toBeGreaterThan(0);
    expect(older?.records.length).toBeGreaterThan(0);
  });

  it('for adapters: the operation table', async () => {
    const { operations, schemas, languages, scopes } = await esi.operations();
    const op = operations.find((o) => o.id === 'GetMarketsRegionIdOrders')!;
    expect(op).toMatchObject({
      method: 'GET',
      path: '/markets/{region_id}/orders',
      tag: 'Market',
      tagKey: 'Market',
      methodName: 'getMarketsRegionIdOrders',
      pagination: 'pages',
      readOnly: true,
    });
    expect(op.response.schemaName).toBeDefined();
    expect(schemas[op.response.schemaName!]).toBeDefined();
    expect(languages).toContain('en');
    expect(scopes.length).toBeGreaterThan(50);
  });

  it('for adapters: calling by id, Standard Schema with tRPC, errors', async () => {
    const id: string = 'GetMarketsRegionIdOrders';
    const orders: unknown = await esi.call(id, { region_id: 10000002, type_id: 34 }).results();
    expect(Array.isArray(orders)).toBe(true);
    const names = await esi.call('PostUniverseNames', { body: [30000142] }).result();
    expect(names).toHaveLength(1);

    const t = initTRPC.create();
    const router = t.router({
      orders: t.procedure
        .input(esi.inputSchema('GetMarketsRegionIdOrders'))
        .query(({ input }) => esi.call('GetMarketsRegionIdOrders', input).results()),
    });
    const caller = t.createCallerFactory(router)({});
    expect(Array.isArray(await caller.orders({ region_id: 10000002 }))).toBe(true);

    function toHttp(error: unknown) {
      return {
        status: suggestedHttpStatus(error),
        retryAfter: suggestedRetryAfter(error), // seconds, or undefined
        code: error instanceof EsikitError ? error.code : 'INTERNAL',
      };
    }
    const e = await esi
      .call(id, { region_id: 'Jita' })
      .result()
      .catch((x: unknown) => x);
    expect(toHttp(e)).toEqual({ status: 400, retryAfter: undefined, code: 'ESIKIT_VALIDATION' });
  });
});
