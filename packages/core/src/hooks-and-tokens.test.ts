import { describe, expect, it } from 'vitest';
import { harnessPerTest, tick } from '../test/helpers.js';
import { EsiAbortedError, EsiValidationError, type AccessTokenSource } from './index.js';

const WALLET = 'esi-wallet.read_character_wallet.v1';

// One simulator per test; it must count no citizenship violation.
const start = harnessPerTest();

describe('token sources', () => {
  it('passes a failing token source’s error through and sends nothing', async () => {
    const h = await start();
    const character = h.sim.characters[0]!;
    const dead = new Error('refresh token revoked');
    const source: AccessTokenSource = {
      characterId: character.id,
      scopes: [WALLET],
      getAccessToken: () => Promise.reject(dead),
    };
    await expect(
      h.esi
        .request(
          'GetCharactersCharacterIdWallet',
          { character_id: character.id },
          { token: source },
        )
        .result(),
    ).rejects.toBe(dead);
    expect(h.sim.audit()).toHaveLength(0);
  });

  it('hands the caller’s signal to the token source', async () => {
    const h = await start();
    const t = await h.token(0, [WALLET]);
    let observed: unknown;
    // A token source stuck in a refresh: it settles only when its signal aborts.
    const source: AccessTokenSource = {
      characterId: t.characterId,
      getAccessToken: (options) =>
        new Promise<string>((_, reject) => {
          options?.signal?.addEventListener('abort', () => {
            observed = options.signal?.reason;
            reject(options.signal?.reason as Error);
          });
        }),
    };
    const caller = new AbortController();
    const call = h.esi
      .request('GetCharactersCharacterIdWallet', { character_id: t.characterId }, { token: source })
      .result({ signal: caller.signal });
    await tick(20);
    const reason = new Error('caller left');
    caller.abort(reason);
    await expect(call).rejects.toBeInstanceOf(EsiAbortedError);
    expect(observed).toBe(reason);
    expect(h.sim.audit()).toHaveLength(0);
  });

  it('refuses a token that is not a JWT, naming the token but not showing it', async () => {
    const h = await start();
    const e = await h.esi
      .request('GetCharactersCharacterIdWallet', { character_id: 1 }, { token: 'not-a-jwt-secret' })
      .result()
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EsiValidationError);
    expect((e as EsiValidationError).parameter).toBe('token');
    expect((e as Error).message).not.toContain('not-a-jwt-secret');
    expect(h.sim.audit()).toHaveLength(0);
  });
});

describe('the onRequest hook', () => {
  it('cannot break a request by throwing; the logger hears about it', async () => {
    const warnings: string[] = [];
    const h = await start(
      {},
      {
        onRequest: () => {
          throw new Error('metrics backend down');
        },
        logger: { warn: (m) => warnings.push(m) },
      },
    );
    await expect(h.esi.request('GetStatus').result()).resolves.toBeDefined();
    expect(warnings.some((w) => w.includes('onRequest'))).toBe(true);
  });

  it('reports failures with their code', async () => {
    const codes: (string | undefined)[] = [];
    const h = await start({}, { onRequest: (e) => codes.push(e.errorCode) });
    await h.esi
      .request('GetAlliancesAllianceId', { alliance_id: 99_000_001 })
      .result()
      .catch(() => undefined);
    expect(codes).toEqual(['ESIKIT_HTTP']);
  });
});
