import type { OperationSpec } from '@esikit/spec';
import { describe, expect, it } from 'vitest';
import { EsiValidationError } from '../esi-errors.js';
import { operationTable } from '../generated/operations.js';
import { buildRequest } from './validate.js';

const op = (id: string): OperationSpec => {
  const found = operationTable.operations.find((o) => o.id === id);
  if (!found) throw new Error(`no ${id} in the generated table`);
  return found;
};

function problem(fn: () => unknown): EsiValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EsiValidationError) return e;
    throw e;
  }
  throw new Error('expected an EsiValidationError');
}

describe('buildRequest', () => {
  it('fills path and query, sorting the query, and the default of a required parameter', () => {
    expect(
      buildRequest(op('GetMarketsRegionIdOrders'), { type_id: 34, region_id: 10000002 }, undefined)
        .path,
    ).toBe('/markets/10000002/orders?order_type=all&type_id=34');
  });

  it('joins array query values with commas', () => {
    const r = buildRequest(
      op('DeleteCharactersCharacterIdContacts'),
      { character_id: 1, contact_ids: [3, 4] },
      undefined,
    );
    expect(r.path).toBe('/characters/1/contacts?contact_ids=3%2C4');
  });

  it('adds client paging parameters and refuses them twice', () => {
    expect(
      buildRequest(op('GetMarketsRegionIdOrders'), { region_id: 1 }, undefined, { page: 2 }).path,
    ).toContain('page=2');
    const e = problem(() =>
      buildRequest(op('GetMarketsRegionIdOrders'), { region_id: 1, page: 1 }, undefined, {
        page: 2,
      }),
    );
    expect(e.parameter).toBe('page');
  });

  it.each([
    ['GetMarketsRegionIdOrders', {}, 'region_id', 'is required'],
    ['GetMarketsRegionIdOrders', { region_id: 1, regionid: 2 }, 'regionid', 'is not a parameter'],
    [
      'GetMarketsRegionIdOrders',
      { region_id: '10000002' },
      'region_id',
      'must be an integer, got "10000002"',
    ],
    ['GetMarketsRegionIdOrders', { region_id: 1.5 }, 'region_id', 'must be an integer'],
    ['GetMarketsRegionIdOrders', { region_id: 2 ** 53 }, 'region_id', 'safe integer'],
    [
      'GetMarketsRegionIdOrders',
      { region_id: 1, order_type: 'both' },
      'order_type',
      'must be one of "buy", "sell", "all"',
    ],
    ['GetMarketsRegionIdOrders', { region_id: 1, page: 0 }, 'page', 'must be ≥ 1'],
    ['GetMarketsRegionIdOrders', { region_id: 1, page: 2 ** 31 }, 'page', 'int32'],
    ['GetFreelanceJobsListing', { limit: 101 }, 'limit', 'must be ≤ 100'],
    ['GetFreelanceJobsDetail', { job_id: 'nope' }, 'job_id', 'must be a UUID'],
    [
      'DeleteCharactersCharacterIdContacts',
      { character_id: 1, contact_ids: [] },
      'contact_ids',
      'at least 1 items',
    ],
    [
      'DeleteCharactersCharacterIdContacts',
      { character_id: 1, contact_ids: [1, 'x'] },
      'contact_ids[1]',
      'must be an integer',
    ],
    [
      'PutCharactersCharacterIdContacts',
      { character_id: 1, standing: 'high' },
      'standing',
      'finite number',
    ],
  ])('%s %j → %s %s', (id, params, parameter, text) => {
    const e = problem(() => buildRequest(op(id), params, id.startsWith('Put') ? [1] : undefined));
    expect(e.code).toBe('ESIKIT_VALIDATION');
    expect(e.operation).toBe(id);
    expect(e.parameter).toBe(parameter);
    expect(e.message).toContain(text);
    expect(e.message).toContain(id);
  });

  it('checks dates', () => {
    const withDate = op('GetMarketsRegionIdOrders');
    const fake: OperationSpec = {
      ...withDate,
      parameters: [{ name: 'day', in: 'query', required: true, type: 'string', format: 'date' }],
    };
    expect(buildRequest(fake, { day: '2026-02-28' }, undefined).path).toContain('day=2026-02-28');
    expect(problem(() => buildRequest(fake, { day: '2026-02-30' }, undefined)).message).toContain(
      'YYYY-MM-DD',
    );
    expect(problem(() => buildRequest(fake, { day: '28/02/2026' }, undefined)).parameter).toBe(
      'day',
    );
  });

  it('validates bodies against the spec schema', () => {
    const names = op('PostUniverseNames');
    expect(buildRequest(names, {}, [1, 2]).body).toBe('[1,2]');
    expect(problem(() => buildRequest(names, {}, undefined)).parameter).toBe('body');
    expect(problem(() => buildRequest(names, {}, [1, 1])).message).toContain('must not repeat');
    expect(problem(() => buildRequest(names, {}, [1, 'a'])).parameter).toBe('body[1]');
    const mail = op('PostUiOpenwindowNewmail');
    expect(problem(() => buildRequest(mail, {}, { subject: 's', body: 'b' })).parameter).toBe(
      'body.recipients',
    );
    expect(
      problem(() => buildRequest(mail, {}, { subject: 's', body: 'b', recipients: [1], cc: 2 }))
        .parameter,
    ).toBe('body.cc');
    expect(problem(() => buildRequest(op('GetStatus'), {}, { x: 1 })).parameter).toBe('body');
  });
});
