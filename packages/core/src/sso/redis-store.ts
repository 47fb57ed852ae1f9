import type { Redis } from 'ioredis';
import { SsoOptionError, TokenError } from './errors.js';
import { throwIfAborted } from './internal/abort.js';
import { byCreated, matchesFilter } from './internal/filter.js';
import type { CallbackRedirect, StoreCallOptions, TokenFilter, TokenStore } from './store.js';
import { describe, type NewToken, type Token, type TokenChanges } from './token.js';

/** Options of {@link RedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /** A connected ioredis client (ioredis is an optional peer dependency; bring your own). */
  redis: Redis;
  /** Prefix of every key, so several apps (or tests) can share one Redis. @default 'esikit:sso:' */
  keyPrefix?: string;
}

// Compare-and-set on the JSON's version: the new JSON was computed by the caller from the
// version it read, so "version unchanged" means "content unchanged".
const CAS = `
local cur = redis.call('GET', KEYS[1])
if not cur then return nil end
if cjson.decode(cur).version ~= tonumber(ARGV[1]) then return nil end
redis.call('SET', KEYS[1], ARGV[2])
return ARGV[2]`;

const DELETE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local t = cjson.decode(cur)
if ARGV[1] ~= '' and t.version ~= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], t.id)
redis.call('SREM', KEYS[3] .. tostring(t.characterId), t.id)
return 1`;

const ACQUIRE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const TAKE = `
local v = redis.call('GET', KEYS[1])
if not v then return nil end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return v`;

const PURGE = `
local states = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
local n = 0
for _, s in ipairs(states) do
  n = n + redis.call('DEL', ARGV[2] .. s)
  redis.call('ZREM', KEYS[1], s)
end
return n`;

/**
 * A {@link TokenStore} in Redis (via ioredis): tokens as JSON strings, compare-and-set and the
 * refresh lease as Lua scripts (`SET … PX` leases), so any number of processes sharing the
 * Redis refresh each token once. Passes `tokenStoreContract`.
 *
 * @example
 * import { Redis } from 'ioredis';
 * const store = new RedisTokenStore({ redis: new Redis('redis://127.0.0.1:6379') });
 */
export class RedisTokenStore implements TokenStore {
  readonly #redis: Redis;
  readonly #p: string;

  constructor(options: RedisTokenStoreOptions) {
    if (options === null || typeof options !== 'object')
      throw new SsoOptionError(
        `RedisTokenStore options must be an object, got ${describe(options)}`,
      );
    const redis = options.redis as Partial<Redis> | null | undefined;
    if (redis === null || typeof redis !== 'object' || typeof redis.eval !== 'function')
      throw new SsoOptionError(`redis must be an ioredis client, got ${describe(options.redis)}`);
    const prefix = options.keyPrefix ?? 'esikit:sso:';
    if (typeof prefix !== 'string')
      throw new SsoOptionError(`keyPrefix must be a string, got ${describe(prefix)}`);
    this.#redis = options.redis;
    this.#p = prefix;
  }

  async create(token: NewToken, now: number, options?: StoreCallOptions): Promise<Token> {
    throwIfAborted(options?.signal, 'Redis token store');
    const id = String(await this.#run(() => this.#redis.incr(`${this.#p}seq`)));
    const stored: Token = {
      ...token,
      scopes: [...token.scopes],
      id,
      created: now,
      updated: now,
      version: 1,
    };
    await this.#run(() =>
      this.#redis
        .multi()
        .set(this.#token(id), serialize(stored))
        .sadd(`${this.#p}tokens`, id)
        .sadd(`${this.#p}char:${stored.characterId}`, id)
        .exec()
        .then(execResults),
    );
    return stored;
  }

  async get(id: string, options?: StoreCallOptions): Promise<Token | undefined> {
    throwIfAborted(options?.signal, 'Redis token store');
    const raw = await this.#run(() => this.#redis.get(this.#token(id)));
    return raw === null ? undefined : parse(raw);
  }

  async find(filter: TokenFilter, options?: StoreCallOptions): Promise<Token[]> {
    throwIfAborted(options?.signal, 'Redis token store');
    const set =
      filter.characterId !== undefined
        ? `${this.#p}char:${filter.characterId}`
        : `${this.#p}tokens`;
    const ids = await this.#run(() => this.#redis.smembers(set));
    if (ids.length === 0) return [];
    const raws = await this.#run(() => this.#redis.mget(ids.map((id) => this.#token(id))));
    return raws
      .filter((r): r is string => r !== null)
      .map(parse)
      .filter((t) => matchesFilter(t, filter))
      .sort(byCreated);
  }

  async update(
    id: string,
    expectedVersion: number,
    changes: TokenChanges,
    now: number,
    options?: StoreCallOptions,
  ): Promise<Token | undefined> {
    const current = await this.get(id, options);
    if (current === undefined || current.version !== expectedVersion) return undefined;
    const next: Token = { ...current, updated: now, version: current.version + 1 };
    for (const [key, value] of Object.entries(changes) as [keyof TokenChanges, unknown][]) {
      if (value !== undefined || key === 'refreshToken' || key === 'userId')
        (next as unknown as Record<string, unknown>)[key] =
          key === 'scopes' ? [...(value as string[])] : value;
    }
    const result = await this.#run(() =>
      this.#redis.eval(CAS, 1, this.#token(id), String(expectedVersion), serialize(next)),
    );
    return result === null ? undefined : next;
  }

  async delete(id: string, expectedVersion?: number, options?: StoreCallOptions): Promise<boolean> {
    throwIfAborted(options?.signal, 'Redis token store');
    const n = await this.#run(() =>
      this.#redis.eval(
        DELETE,
        3,
        this.#token(id),
        `${this.#p}tokens`,
        `${this.#p}char:`,
        expectedVersion === undefined ? '' : String(expectedVersion),
      ),
    );
    return n === 1;
  }

  async acquireLease(
    key: string,
    holder: string,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<boolean> {
    return this.#lease(ACQUIRE, key, holder, ttlMs, options);
  }

  async renewLease(
    key: string,
    holder: string,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<boolean> {
    return this.#lease(RENEW, key, holder, ttlMs, options);
  }

  /** Runs a lease script (acquire or renew) for `holder`; true when it now holds the lease. */
  async #lease(
    script: string,
    key: string,
    holder: string,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<boolean> {
    throwIfAborted(options?.signal, 'Redis token store');
    const ttl = String(Math.max(1, Math.ceil(ttlMs)));
    const n = await this.#run(() =>
      this.#redis.eval(script, 1, `${this.#p}lease:${key}`, holder, ttl),
    );
    return n === 1;
  }

  async releaseLease(key: string, holder: string, options?: StoreCallOptions): Promise<void> {
    throwIfAborted(options?.signal, 'Redis token store');
    await this.#run(() => this.#redis.eval(RELEASE, 1, `${this.#p}lease:${key}`, holder));
  }

  async saveCallbackRedirect(
    redirect: CallbackRedirect,
    options?: StoreCallOptions,
  ): Promise<void> {
    throwIfAborted(options?.signal, 'Redis token store');
    await this.#run(() =>
      this.#redis
        .multi()
        .set(`${this.#p}cb:${redirect.state}`, JSON.stringify(redirect))
        .zadd(`${this.#p}cbs`, redirect.created, redirect.state)
        .exec()
        .then(execResults),
    );
  }

  async takeCallbackRedirect(
    state: string,
    options?: StoreCallOptions,
  ): Promise<CallbackRedirect | undefined> {
    throwIfAborted(options?.signal, 'Redis token store');
    const raw = await this.#run(() =>
      this.#redis.eval(TAKE, 2, `${this.#p}cb:${state}`, `${this.#p}cbs`, state),
    );
    if (typeof raw !== 'string') return undefined;
    const r = JSON.parse(raw) as Partial<CallbackRedirect>;
    return {
      state: r.state!,
      sessionKey: r.sessionKey!,
      returnUrl: r.returnUrl,
      codeVerifier: r.codeVerifier,
      scopes: r.scopes ?? [],
      userId: r.userId,
      created: r.created!,
    };
  }

  async deleteCallbackRedirectsBefore(cutoff: number, options?: StoreCallOptions): Promise<number> {
    throwIfAborted(options?.signal, 'Redis token store');
    const n = await this.#run(() =>
      this.#redis.eval(PURGE, 1, `${this.#p}cbs`, String(cutoff), `${this.#p}cb:`),
    );
    return Number(n);
  }

  #token(id: string): string {
    return `${this.#p}token:${id}`;
  }

  async #run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      // ioredis errors carry the failed command with its arguments (`command.args`: token JSON,
      // secrets included), which any logger printing causes would show: keep name, message and
      // code only.
      const cause = redisCause(error);
      throw new TokenError(
        'ESIKIT_TOKEN_STORE_FAILED',
        `Redis token store failed: ${cause.message}`,
        {
          cause,
        },
      );
    }
  }
}

/** MULTI/EXEC resolves with each command's error instead of failing: fail on the first. */
function execResults(results: [error: Error | null, result: unknown][] | null): void {
  if (results === null) throw new Error('MULTI transaction was discarded');
  for (const [error] of results) if (error) throw error;
}

function redisCause(error: unknown): Error {
  if (!(error instanceof Error))
    return new Error(typeof error === 'string' ? error : describe(error));
  // The message of a reply error is Redis's own text (it never quotes arguments).
  const cause = new Error(error.message.slice(0, 500));
  cause.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(cause, { code });
  return cause;
}

function serialize(token: Token): string {
  return JSON.stringify(token);
}

function parse(raw: string): Token {
  const t = JSON.parse(raw) as Token;
  // JSON drops undefined; give every token the same shape as in memory.
  return { ...t, refreshToken: t.refreshToken, userId: t.userId };
}
