import { describe, expect, it } from 'vitest';

import { SimulatorClock } from '../clock.js';
import type { SsoServerOptions } from './index.js';
import { SsoServer } from './index.js';
import { CHARACTERS, CLIENTS } from './testing.js';

const valid = (): SsoServerOptions => ({
  clock: new SimulatorClock(),
  characters: CHARACTERS,
  clients: CLIENTS,
});

describe('SsoServer options', () => {
  it.each([
    [{ clock: Date }, /option "clock" must be a SimulatorClock, got function/],
    [
      { characters: undefined },
      /option "characters" must be an array of SimCharacter, got undefined/,
    ],
    [
      { characters: [{ ...CHARACTERS[0], id: -5 }] },
      /option "characters\[0\]\.id" must be a positive integer, got -5/,
    ],
    [
      { characters: [CHARACTERS[0], CHARACTERS[0]] },
      /option "characters\[1\]\.id" must be unique, got 2117712894/,
    ],
    [
      { characters: [{ ...CHARACTERS[0], ownerHash: '' }] },
      /characters\[0\]\.ownerHash" must be a non-empty string/,
    ],
    [
      { clients: [{ clientId: '' }] },
      /option "clients\[0\]\.clientId" must be a non-empty string, got ""/,
    ],
    [
      { clients: [{ clientId: 'a' }, { clientId: 'a' }] },
      /option "clients\[1\]\.clientId" must be unique, got "a"/,
    ],
    [
      { clients: [{ clientId: 'a', redirectUris: ['/cb'] }] },
      /clients\[0\]\.redirectUris\[0\]" must be an absolute URL, got "\/cb"/,
    ],
    [{ accessTokenTtlSeconds: 1 }, /option "accessTokenTtlSeconds" must be an integer >= 2, got 1/],
    [
      { accessTokenTtlSeconds: 12.5 },
      /option "accessTokenTtlSeconds" must be an integer >= 2, got 12.5/,
    ],
    [
      { authorizationCodeTtlSeconds: 0 },
      /option "authorizationCodeTtlSeconds" must be an integer >= 1, got 0/,
    ],
    [{ issuer: '' }, /option "issuer" must be 'self' or an http\(s\) origin .*, got ""/],
    [{ issuer: 'login.eveonline.com' }, /option "issuer" must be .*, got "login.eveonline.com"/],
    [
      { clients: [{ clientId: 'a', scopes: 'publicData' }] },
      /clients\[0\]\.scopes" must be an array of scope names, got "publicData"/,
    ],
    [
      { clients: [{ clientId: 'a', issuerForm: 'bare' }] },
      /clients\[0\]\.issuerForm" must be 'url' or 'host', got "bare"/,
    ],
    [{ seed: 'abc' }, /option "seed" must be an integer, got "abc"/],
    [{ scopes: ['a b'] }, /option "scopes\[0\]" must be a scope name without spaces, got "a b"/],
  ])('%j is refused with a message naming the option', (change, message) => {
    expect(() => new SsoServer({ ...valid(), ...change } as never)).toThrow(message);
  });

  it('never puts a client secret in a message', () => {
    expect(
      () => new SsoServer({ ...valid(), clients: [{ clientId: 'a', clientSecret: 42 as never }] }),
    ).toThrow(/clients\[0\]\.clientSecret" must be a non-empty string or undefined, got "number"/);
  });

  it('refuses to work before init()', async () => {
    const sso = new SsoServer(valid());
    await expect(sso.issueTokens({ characterId: CHARACTERS[0]!.id, scopes: [] })).rejects.toThrow(
      /await init\(\)/,
    );
  });

  it('issueTokens names a bad character, client or scope', async () => {
    const sso = new SsoServer(valid());
    await sso.init();
    await expect(sso.issueTokens({ characterId: 7, scopes: [] })).rejects.toThrow(
      /no character with id 7/,
    );
    await expect(
      sso.issueTokens({ characterId: CHARACTERS[0]!.id, scopes: [], clientId: 'x' }),
    ).rejects.toThrow(/unknown clientId "x"/);
    await expect(
      sso.issueTokens({ characterId: CHARACTERS[0]!.id, scopes: ['nope'] }),
    ).rejects.toThrow(/scope "nope" is unknown or not registered for client/);
    expect(() => sso.transferCharacter(7)).toThrow(/no character with id 7/);
    expect(() => sso.setBaseUrl('not a url')).toThrow(/must be an absolute URL/);
  });

  it('a login without scopes carries no scp claim and verifies with no scopes', async () => {
    const sso = new SsoServer(valid());
    await sso.init();
    const { access_token } = await sso.issueTokens({ characterId: CHARACTERS[0]!.id, scopes: [] });
    const payload = JSON.parse(Buffer.from(access_token.split('.')[1]!, 'base64url').toString());
    expect('scp' in payload).toBe(false);
    expect((await sso.verifyAccessToken(access_token)).scopes).toEqual([]);
  });
});
