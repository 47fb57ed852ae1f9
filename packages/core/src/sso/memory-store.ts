import { throwIfAborted } from './internal/abort.js';
import { byCreated, matchesFilter } from './internal/filter.js';
import type { CallbackRedirect, StoreCallOptions, TokenFilter, TokenStore } from './store.js';
import type { NewToken, Token, TokenChanges } from './token.js';

/**
 * A {@link TokenStore} in process memory. Good for tests, scripts and single-process apps;
 * tokens are lost on restart. Two managers sharing one instance behave like two processes
 * sharing a database: the lease and compare-and-set keep refreshes single.
 *
 * @example
 * const store = new MemoryTokenStore();
 * const tokens = new TokenManager({ sso, store });
 */
export class MemoryTokenStore implements TokenStore {
  #tokens = new Map<string, Token>();
  #redirects = new Map<string, CallbackRedirect>();
  #leases = new Map<string, { holder: string; until: number }>();
  #nextId = 1;

  async create(token: NewToken, now: number, options?: StoreCallOptions): Promise<Token> {
    throwIfAborted(options?.signal, 'memory token store');
    const id = String(this.#nextId++);
    const stored = freeze({
      ...token,
      scopes: [...token.scopes],
      id,
      created: now,
      updated: now,
      version: 1,
    });
    this.#tokens.set(id, stored);
    return stored;
  }

  async get(id: string, options?: StoreCallOptions): Promise<Token | undefined> {
    throwIfAborted(options?.signal, 'memory token store');
    return this.#tokens.get(id);
  }

  async find(filter: TokenFilter, options?: StoreCallOptions): Promise<Token[]> {
    throwIfAborted(options?.signal, 'memory token store');
    return [...this.#tokens.values()].filter((t) => matchesFilter(t, filter)).sort(byCreated);
  }

  async update(
    id: string,
    expectedVersion: number,
    changes: TokenChanges,
    now: number,
    options?: StoreCallOptions,
  ): Promise<Token | undefined> {
    throwIfAborted(options?.signal, 'memory token store');
    const current = this.#tokens.get(id);
    if (current === undefined || current.version !== expectedVersion) return undefined;
    const next = freeze({
      ...current,
      ...definedOnly(changes),
      ...(changes.scopes ? { scopes: [...changes.scopes] } : {}),
      ...('userId' in changes ? { userId: changes.userId } : {}),
      ...('refreshToken' in changes ? { refreshToken: changes.refreshToken } : {}),
      updated: now,
      version: current.version + 1,
    });
    this.#tokens.set(id, next);
    return next;
  }

  async delete(id: string, expectedVersion?: number, options?: StoreCallOptions): Promise<boolean> {
    throwIfAborted(options?.signal, 'memory token store');
    const current = this.#tokens.get(id);
    if (current === undefined) return false;
    if (expectedVersion !== undefined && current.version !== expectedVersion) return false;
    return this.#tokens.delete(id);
  }

  async acquireLease(
    key: string,
    holder: string,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<boolean> {
    throwIfAborted(options?.signal, 'memory token store');
    const now = Date.now();
    const lease = this.#leases.get(key);
    if (lease !== undefined && lease.until > now) return false;
    this.#leases.set(key, { holder, until: now + ttlMs });
    return true;
  }

  async renewLease(
    key: string,
    holder: string,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<boolean> {
    throwIfAborted(options?.signal, 'memory token store');
    const now = Date.now();
    const lease = this.#leases.get(key);
    if (lease === undefined || lease.until <= now || lease.holder !== holder) return false;
    this.#leases.set(key, { holder, until: now + ttlMs });
    return true;
  }

  async releaseLease(key: string, holder: string, options?: StoreCallOptions): Promise<void> {
    throwIfAborted(options?.signal, 'memory token store');
    if (this.#leases.get(key)?.holder === holder) this.#leases.delete(key);
  }

  async saveCallbackRedirect(
    redirect: CallbackRedirect,
    options?: StoreCallOptions,
  ): Promise<void> {
    throwIfAborted(options?.signal, 'memory token store');
    this.#redirects.set(
      redirect.state,
      Object.freeze({ ...redirect, scopes: [...redirect.scopes] }),
    );
  }

  async takeCallbackRedirect(
    state: string,
    options?: StoreCallOptions,
  ): Promise<CallbackRedirect | undefined> {
    throwIfAborted(options?.signal, 'memory token store');
    const redirect = this.#redirects.get(state);
    this.#redirects.delete(state);
    return redirect;
  }

  async deleteCallbackRedirectsBefore(cutoff: number, options?: StoreCallOptions): Promise<number> {
    throwIfAborted(options?.signal, 'memory token store');
    let removed = 0;
    for (const [state, redirect] of this.#redirects) {
      if (redirect.created < cutoff) {
        this.#redirects.delete(state);
        removed++;
      }
    }
    return removed;
  }
}

function freeze(token: Token): Token {
  Object.freeze(token.scopes);
  return Object.freeze(token);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
