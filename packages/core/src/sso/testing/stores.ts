// Test support: store wrappers that make races happen in a chosen order (no timing), and the
// store variants the token-model tests run against. Used by this package's tests; not exported.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { EncryptedTokenStore, TokenCipher } from '../encryption.js';
import { MemoryTokenStore } from '../memory-store.js';
import { RedisTokenStore } from '../redis-store.js';
import type { CallbackRedirect, StoreCallOptions, TokenFilter, TokenStore } from '../store.js';
import type { NewToken, Token, TokenChanges } from '../token.js';

/** Passes every call to `inner`; subclasses override the calls they want to steer. */
export class DelegatingStore implements TokenStore {
  constructor(readonly inner: TokenStore) {}
  create(token: NewToken, now: number, options?: StoreCallOptions): Promise<Token> {
    return this.inner.create(token, now, options);
  }
  get(id: string, options?: StoreCallOptions): Promise<Token | undefined> {
    return this.inner.get(id, options);
  }
  find(filter: TokenFilter, options?: StoreCallOptions): Promise<Token[]> {
    return this.inner.find(filter, options);
  }
  update(
    id: string,
    expectedVersion: number,
    changes: TokenChanges,
    now: number,
    options?: StoreCallOptions,
  ): Promise<Token | undefined> {
    return this.inner.update(id, expectedVersion, changes, now, options);
  }
  delete(id: string, expectedVersion?: number, options?: StoreCallOptions): Promise<boolean> {
    return this.inner.delete(id, expectedVersion, options);
  }
  acquireLease(key: string, holder: string, ttlMs: number, o?: StoreCallOptions) {
    return this.inner.acquireLease(key, holder, ttlMs, o);
  }
  renewLease(key: string, holder: string, ttlMs: number, o?: StoreCallOptions) {
    return this.inner.renewLease(key, holder, ttlMs, o);
  }
  releaseLease(key: string, holder: string, o?: StoreCallOptions): Promise<void> {
    return this.inner.releaseLease(key, holder, o);
  }
  saveCallbackRedirect(redirect: CallbackRedirect, o?: StoreCallOptions): Promise<void> {
    return this.inner.saveCallbackRedirect(redirect, o);
  }
  takeCallbackRedirect(state: string, o?: StoreCallOptions) {
    return this.inner.takeCallbackRedirect(state, o);
  }
  deleteCallbackRedirectsBefore(cutoff: number, o?: StoreCallOptions): Promise<number> {
    return this.inner.deleteCallbackRedirectsBefore(cutoff, o);
  }
}

/**
 * Every lease request succeeds, as when a holder's lease has lapsed (a long pause) and another
 * client took it over: two clients both believe they hold it. What keeps the token safe then is
 * only the store's compare-and-set.
 */
export class LapsedLeaseStore extends DelegatingStore {
  override async acquireLease(): Promise<boolean> {
    return true;
  }
  override async renewLease(): Promise<boolean> {
    return true;
  }
  override async releaseLease(): Promise<void> {}
}

/** Reports the first lease request that was refused (someone else holds the lease). */
export class LeaseWatchStore extends DelegatingStore {
  readonly refused = deferred();
  override async acquireLease(key: string, holder: string, ttlMs: number, o?: StoreCallOptions) {
    const got = await super.acquireLease(key, holder, ttlMs, o);
    if (!got) this.refused.resolve();
    return got;
  }
}

/** A promise with its resolve, for making one step wait for another. */
export interface Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A store variant the token-model tests run against; `close` drops its data. */
export interface StoreVariant {
  readonly name: string;
  /** Why the variant cannot run here (e.g. no Redis), or undefined. */
  readonly skip: string | undefined;
  make(): Promise<{ store: TokenStore; close: () => Promise<void> }>;
}

/** `ESIKIT_TEST_REDIS_URL` points the Redis variants elsewhere. */
export const REDIS_URL = process.env.ESIKIT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Why Redis cannot be used at `url` (the socket's own error), or undefined if it answers. */
export async function redisProblem(url = REDIS_URL): Promise<string | undefined> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  });
  // The socket's own error (ECONNREFUSED, ENOTFOUND, …) says more than "Connection is closed".
  let socketError: Error | undefined;
  probe.on('error', (e: Error) => (socketError ??= e));
  try {
    await probe.connect();
    await probe.ping();
    return undefined;
  } catch (e) {
    return (socketError ?? (e instanceof Error ? e : undefined))?.message ?? String(e);
  } finally {
    probe.disconnect();
  }
}

export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Memory, encrypted memory and Redis (skipped with its reason when Redis is not reachable). */
export async function storeVariants(): Promise<StoreVariant[]> {
  const problem = await redisProblem();
  return [
    {
      name: 'MemoryTokenStore',
      skip: undefined,
      make: async () => ({ store: new MemoryTokenStore(), close: async () => {} }),
    },
    {
      name: 'EncryptedTokenStore(MemoryTokenStore)',
      skip: undefined,
      make: async () => ({
        store: new EncryptedTokenStore(
          new MemoryTokenStore(),
          new TokenCipher({ keys: { t: Buffer.alloc(32, 7) }, currentKeyId: 't' }),
        ),
        close: async () => {},
      }),
    },
    {
      name: 'RedisTokenStore',
      skip:
        problem === undefined ? undefined : `Redis is not reachable at ${REDIS_URL} (${problem})`,
      make: async () => {
        const redis = new Redis(REDIS_URL);
        const prefix = `esikit-test:${randomUUID()}:`;
        return {
          store: new RedisTokenStore({ redis, keyPrefix: prefix }),
          close: async () => {
            await dropPrefix(redis, prefix);
            redis.disconnect();
          },
        };
      },
    },
  ];
}
