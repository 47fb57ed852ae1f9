// Key material (AES keys, client secrets, refresh and access tokens, Redis passwords) never
// appears in an error — message, String(), util.inspect() with causes, JSON — whatever option it
// is put in by mistake: every option of createSso, TokenCipher, EncryptedTokenStore,
// RedisTokenStore and TokenManager, swapped or malformed.
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { Simulator } from '@esikit/simulator';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptedTokenStore, TokenCipher } from './encryption.js';
import { importRefreshToken } from './login.js';
import { TokenManager } from './manager.js';
import { MemoryTokenStore } from './memory-store.js';
import { RedisTokenStore } from './redis-store.js';
import { createSso } from './sso.js';
import { CALLBACK_URL, simManager, simSso, startSim, WEB_CLIENT } from './testing/sim-fixture.js';
import { dropPrefix, REDIS_URL, redisProblem } from './testing/stores.js';
import { sampleToken } from './testing/token-store-contract.js';

const problem = await redisProblem();
let sim: Simulator;
/** Secret-looking strings, filled in beforeAll: keys, a client secret, real SSO tokens. */
const secrets: Record<string, string> = {};
let keyBuffer: Buffer;

beforeAll(async () => {
  sim = await startSim();
  keyBuffer = randomBytes(32);
  const issued = await sim.issueTokens({
    characterId: sim.characters[0]!.id,
    scopes: ['esi-skills.read_skills.v1'],
  });
  Object.assign(secrets, {
    'AES key (base64)': randomBytes(32).toString('base64'),
    'AES key (base64url)': randomBytes(32).toString('base64url'),
    'AES key (hex)': randomBytes(32).toString('hex'),
    'AES key (buffer)': keyBuffer.toString('base64'),
    'client secret': randomBytes(30).toString('base64url'),
    'refresh token': issued.refresh_token,
    'access token': issued.access_token,
    'redis password': `pw${randomBytes(12).toString('hex')}`,
  });
});
afterAll(async () => {
  await sim?.close();
});

/** Every form a secret value takes when put in an option by mistake. */
function values(): [string, unknown][] {
  return [
    ...Object.entries(secrets).filter(([name]) => name !== 'AES key (buffer)'),
    ['AES key (buffer)', keyBuffer],
    ['redis URL with password', `redis://:${secrets['redis password']}@127.0.0.1:6379`],
  ];
}

/** Fails if any 8-character piece of any secret shows in what the error exposes. */
function expectNoSecret(error: unknown, where: string): void {
  const exposed = [
    error instanceof Error ? error.message : '',
    String(error),
    inspect(error, { depth: 8 }),
    JSON.stringify(error) ?? '',
  ].join('\n');
  const all = [
    ...Object.values(secrets),
    keyBuffer.toString('hex'),
    keyBuffer.toString('base64url'),
  ];
  for (const secret of all) {
    for (let i = 0; i + 8 <= secret.length; i++) {
      const piece = secret.slice(i, i + 8);
      if (exposed.includes(piece))
        throw new Error(
          `${where}: the error exposes part of a secret (${JSON.stringify(piece)}):\n${exposed}`,
        );
    }
  }
}

/** Runs `make`; if it throws (or rejects), the error must not expose a secret. */
async function check(where: string, make: () => unknown): Promise<boolean> {
  try {
    await make();
    return false;
  } catch (error) {
    expectNoSecret(error, where);
    return true;
  }
}

describe('no key material in errors', () => {
  it('createSso: a secret in any option, or as the options', async () => {
    const base = { ...WEB_CLIENT, callbackUrl: CALLBACK_URL };
    const options = [
      'clientId',
      'clientSecret',
      'callbackUrl',
      'ssoUrl',
      'timeoutMs',
      'clockToleranceSeconds',
      'metadataTtlMs',
      'jwksRefetchCooldownMs',
      'userAgent',
      'clock',
      'fetch',
    ];
    let thrown = 0;
    for (const [name, value] of values()) {
      for (const option of options)
        if (
          await check(`createSso ${option} = ${name}`, () =>
            createSso({ ...base, [option]: value }),
          )
        )
          thrown++;
      if (await check(`createSso(${name})`, () => createSso(value as never))) thrown++;
      // Swapped: the secret where the client id goes and the client id where the secret goes.
      await check(`createSso swapped (${name})`, () =>
        createSso({ clientId: value, clientSecret: base.clientId, callbackUrl: value } as never),
      );
    }
    // The checks ran on real errors: most wrong placements are refused.
    expect(thrown).toBeGreaterThan(50);
  });

  it('TokenCipher: keys, currentKeyId and bad entries', async () => {
    let thrown = 0;
    for (const [name, value] of values()) {
      const cases: [string, () => unknown][] = [
        ['options', () => new TokenCipher(value as never)],
        ['keys', () => new TokenCipher({ keys: value as never, currentKeyId: 'k' })],
        [
          'keys entry too long',
          () => new TokenCipher({ keys: { k: `${String(value)}AAAA` }, currentKeyId: 'k' }),
        ],
        ['keys entry', () => new TokenCipher({ keys: { k: value as never }, currentKeyId: 'k' })],
        [
          'key as key id',
          () => new TokenCipher({ keys: { [String(value)]: keyBuffer }, currentKeyId: 'k' }),
        ],
        [
          'key as key id, with its id as key',
          () => new TokenCipher({ keys: { [String(value)]: 'k' }, currentKeyId: String(value) }),
        ],
        [
          'bad entry among good ones',
          () =>
            new TokenCipher({
              keys: { a: keyBuffer, b: `${String(value)}==`, c: 7 as never },
              currentKeyId: 'a',
            }),
        ],
        [
          'currentKeyId',
          () => new TokenCipher({ keys: { k: keyBuffer }, currentKeyId: value as never }),
        ],
        [
          'keys and currentKeyId swapped',
          () => new TokenCipher({ keys: { k: 'k' }, currentKeyId: value as never }),
        ],
      ];
      for (const [what, make] of cases)
        if (await check(`TokenCipher ${what} = ${name}`, make)) thrown++;
      const cipher = new TokenCipher({ keys: { k: keyBuffer }, currentKeyId: 'k' });
      // A ciphertext naming a secret as its key id (tampered or foreign) is refused without it.
      if (
        await check(`decrypt with key id ${name}`, () =>
          cipher.decrypt(`esikit:v2:${String(value)}:aaaa:bbbb:cccc`, 'accessToken of character 1'),
        )
      )
        thrown++;
      for (const [what, make] of [
        ['inner', () => new EncryptedTokenStore(value as never, cipher)],
        ['cipher', () => new EncryptedTokenStore(new MemoryTokenStore(), value as never)],
        [
          'swapped',
          () => new EncryptedTokenStore(cipher as never, new MemoryTokenStore() as never),
        ],
      ] as [string, () => unknown][])
        if (await check(`EncryptedTokenStore ${what} = ${name}`, make)) thrown++;
    }
    expect(thrown).toBeGreaterThan(80);
  });

  it('TokenManager: a secret in any option', async () => {
    const sso = simSso(sim);
    const store = new MemoryTokenStore();
    const options = [
      'sso',
      'store',
      'refreshMarginMs',
      'leaseTtlMs',
      'concurrency',
      'alwaysCreateToken',
      'loginTimeoutSeconds',
      'clock',
    ];
    let thrown = 0;
    for (const [name, value] of values()) {
      for (const option of options)
        if (
          await check(
            `TokenManager ${option} = ${name}`,
            () => new TokenManager({ sso, store, [option]: value }),
          )
        )
          thrown++;
      if (await check(`TokenManager(${name})`, () => new TokenManager(value as never))) thrown++;
      if (
        await check(
          `TokenManager swapped (${name})`,
          () => new TokenManager({ sso: store, store: sso } as never),
        )
      )
        thrown++;
    }
    expect(thrown).toBeGreaterThan(50);
  });

  it('RedisTokenStore: a secret (or a redis URL with its password) as the client, prefix or options', async () => {
    let thrown = 0;
    for (const [name, value] of values()) {
      for (const [what, make] of [
        ['options', () => new RedisTokenStore(value as never)],
        ['redis', () => new RedisTokenStore({ redis: value as never })],
        [
          'keyPrefix',
          () =>
            new RedisTokenStore({
              redis: new Redis({ lazyConnect: true }),
              keyPrefix: value as never,
            }),
        ],
      ] as [string, () => unknown][])
        if (await check(`RedisTokenStore ${what} = ${name}`, make)) thrown++;
    }
    expect(thrown).toBeGreaterThan(15);
  });

  it.skipIf(problem !== undefined)(
    "RedisTokenStore: a failing Redis command's error (which carries the command's arguments) exposes no token",
    async () => {
      const redis = new Redis(REDIS_URL);
      const prefix = `esikit-test:secrets:${randomBytes(6).toString('hex')}:`;
      try {
        const store = new RedisTokenStore({ redis, keyPrefix: prefix });
        const token = await store.create(
          sampleToken({
            accessToken: secrets['access token']!,
            refreshToken: secrets['refresh token']!,
          }),
          1,
        );
        // The token's key holds a hash now: the compare-and-set script fails (WRONGTYPE) with
        // the new token's JSON among the command's arguments.
        await redis.del(`${prefix}token:${token.id}`);
        await redis.hset(`${prefix}token:${token.id}`, 'x', '1');
        const error = await store
          .update(
            token.id,
            1,
            { accessToken: secrets['access token']!, refreshToken: secrets['refresh token']! },
            2,
          )
          .catch((e: unknown) => e);
        // Not reached through get() (which fails first on the hash): write the script path.
        expect(error).toMatchObject({ code: 'ESIKIT_TOKEN_STORE_FAILED' });
        expectNoSecret(error, 'Redis update failure');
        const created = await store.create(
          sampleToken({ accessToken: secrets['access token']!, characterId: 1 }),
          1,
        );
        await redis.del(`${prefix}tokens`);
        await redis.hset(`${prefix}tokens`, 'x', '1');
        const failedCreate = await store
          .create(
            sampleToken({
              accessToken: secrets['access token']!,
              refreshToken: secrets['refresh token']!,
            }),
            1,
          )
          .catch((e: unknown) => e);
        expect(failedCreate).toMatchObject({ code: 'ESIKIT_TOKEN_STORE_FAILED' });
        expectNoSecret(failedCreate, 'Redis create failure');
        void created;
      } finally {
        await dropPrefix(redis, prefix);
        redis.disconnect();
      }
    },
  );

  it('a refresh through a store that fails keeps the tokens out of the error', async () => {
    class FailingStore extends MemoryTokenStore {
      override async update(): Promise<undefined> {
        throw new Error('database is down');
      }
    }
    const tokens = simManager(sim, { store: new FailingStore() });
    const issued = await sim.issueTokens({
      characterId: sim.characters[0]!.id,
      scopes: ['esi-skills.read_skills.v1'],
    });
    const token = await importRefreshToken(tokens, issued.refresh_token);
    sim.clock.advance(21 * 60_000);
    secrets['stored refresh token'] = token.refreshToken!;
    const error = await tokens.validAccessToken(token.id).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ESIKIT_TOKEN_STORE_FAILED' });
    expectNoSecret(error, 'refresh with a failing store');
    delete secrets['stored refresh token'];
  });
});
