// esi.call(id, input, options): operations by id with input checked at run time.
import { describe, expect, it } from 'vitest';
import { harnessPerTest } from '../test/helpers.js';
import { EsiOptionError, EsiTokenRequiredError, EsiValidationError } from './index.js';

const start = harnessPerTest();

describe('esi.call', () => {
  it('calls by id like esi.request, sharing its cache', async () => {
    const h = await start();
    const id: string = 'GetMarketsRegionIdOrders';
    const viaCall = await h.esi.call(id, { region_id: 10000002, type_id: 34 }).results();
    const sent = h.seen('GetMarketsRegionIdOrders');
    expect(sent).toBeGreaterThan(0);
    const viaRequest = await h.esi
      .request('GetMarketsRegionIdOrders', { region_id: 10000002, type_id: 34 })
      .results();
    expect(viaCall).toEqual(viaRequest);
    expect(h.seen('GetMarketsRegionIdOrders')).toBe(sent);
  });

  it('takes the request body under body, and is safe to destructure', async () => {
    const h = await start();
    const { call } = h.esi;
    const names = (await call('PostUniverseNames', { body: [30000142] }).result()) as {
      id: number;
      name: string;
    }[];
    expect(names).toEqual([expect.objectContaining({ id: 30000142, name: expect.any(String) })]);
  });

  it('passes the token, and an authenticated operation without one names its scope', async () => {
    const h = await start();
    const t = await h.token(0, ['esi-wallet.read_character_wallet.v1']);
    const params = { character_id: t.characterId };
    const balance = await h.esi
      .call('GetCharactersCharacterIdWallet', params, { token: t.accessToken })
      .result();
    expect(typeof balance).toBe('number');
    const e = await h.esi
      .call('GetCharactersCharacterIdWallet', params)
      .result()
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiTokenRequiredError);
    expect(e).toMatchObject({ scope: 'esi-wallet.read_character_wallet.v1' });
  });

  it('refuses bad input with the same errors as esi.request, sending nothing', async () => {
    const h = await start();
    const bad = [
      ['GetMarketsRegionIdOrders', { region_id: 'x' }, /parameter region_id must be an integer/],
      ['GetMarketsRegionIdOrders', {}, /parameter region_id is required/],
      ['GetStatus', { nope: 1 }, /parameter nope is not a parameter/],
      ['GetStatus', { body: [1] }, /parameter body is not accepted/],
      ['PostUniverseNames', {}, /parameter body is required/],
      ['PostUniverseNames', { body: ['a'] }, /parameter body\[0\] must be an integer/],
      ['GetNothing', {}, /GetNothing: parameter operation is not an operation/],
    ] as const;
    for (const [id, input, message] of bad) {
      const e = await h.esi
        .call(id, input)
        .result()
        .catch((x: unknown) => x);
      expect(e, id).toBeInstanceOf(EsiValidationError);
      expect((e as Error).message).toMatch(message);
    }
    expect(h.sim.audit()).toHaveLength(0);
  });

  it('refuses a body in the options, and options that are not an object', async () => {
    const h = await start();
    expect(() =>
      h.esi.call('PostUniverseNames', {}, { body: [1] } as unknown as { token?: string }),
    ).toThrow(EsiOptionError);
    expect(() => h.esi.call('GetStatus', {}, 'eyJhbGciOi.secret' as never)).toThrow(
      /Invalid option options: .*got a string of 17 characters/,
    );
    expect(() => h.esi.call(7 as unknown as string)).toThrow(/operation id string/);
  });
});
