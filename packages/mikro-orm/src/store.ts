import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  TokenError,
  type CallbackRedirect,
  type NewToken,
  type StoreCallOptions,
  type Token,
  type TokenChanges,
  type TokenFilter,
  type TokenStore,
} from '@esikit/core/sso';
import { EsikitCallbackRedirect, EsikitToken, type EsikitTokenRow } from './entities.js';
import { EsikitDatabaseError } from './errors.js';
import * as cas from './internal/cas.js';
import { assertMigrated, describeDbError } from './internal/schema.js';

/**
 * Options of {@link MikroOrmTokenStore}.
 *
 * @example
 * const options: MikroOrmTokenStoreOptions = { em: orm.em };
 */
export interface MikroOrmTokenStoreOptions {
  /**
   * An entity manager of a MikroORM (`@mikro-orm/postgresql`) whose config includes
   * `esikitEntities`. Plain statements run on its connection; calls that need an entity manager
   * get a fork of their own. The store never flushes it.
   */
  em: EntityManager;
  /**
   * Check on first use that the esikit migrations are applied, failing with an error that
   * names the migrate command otherwise. `openEsikitDatabase` checks at open and turns this off.
   * @default true
   */
  checkMigrations?: boolean;
}

// Ids are bigserial: anything else cannot name a token, so it is answered without a query.
const ID_RE = /^[1-9][0-9]{0,17}$/;

/**
 * A {@link TokenStore} on MikroORM + PostgreSQL (real, or embedded PGlite through
 * `openEsikitDatabase`). Compare-and-set, the refresh lease and taking a login are each one SQL
 * statement, so any number of processes sharing the database refresh each token once; scope
 * filters run in SQL on a GIN index. Passes core's `tokenStoreContract`; `EncryptedTokenStore`
 * composes over it. Failures are core's `TokenError` with code `ESIKIT_TOKEN_STORE_FAILED`, whose
 * message never contains token values.
 *
 * @example
 * const orm = await MikroORM.init({ clientUrl, entities: [User, ...esikitEntities] });
 * const store = new MikroOrmTokenStore({ em: orm.em });
 * const tokens = new TokenManager({ sso, store });
 */
export class MikroOrmTokenStore implements TokenStore {
  readonly #em: EntityManager;
  #migrated: Promise<void> | undefined;

  constructor(options: MikroOrmTokenStoreOptions) {
    if (options === null || typeof options !== 'object')
      throw new EsikitDatabaseError(
        'ESIKIT_DB_INVALID_OPTION',
        `MikroOrmTokenStore options must be an object, got ${options === null ? 'null' : typeof options}`,
      );
    const em = options.em as Partial<EntityManager> | null | undefined;
    if (em === null || typeof em !== 'object' || typeof em.fork !== 'function')
      throw new EsikitDatabaseError(
        'ESIKIT_DB_INVALID_OPTION',
        `em must be a MikroORM EntityManager (orm.em), got ${em === null ? 'null' : typeof em}`,
      );
    if (options.checkMigrations !== undefined && typeof options.checkMigrations !== 'boolean')
      throw new EsikitDatabaseError(
        'ESIKIT_DB_INVALID_OPTION',
        `checkMigrations must be a boolean, got ${typeof options.checkMigrations}`,
      );
    this.#em = options.em;
    if (options.checkMigrations === false) this.#migrated = Promise.resolve();
  }

  async create(token: NewToken, now: number, options?: StoreCallOptions): Promise<Token> {
    return this.#run('create a token', options, async (db) => {
      const row = {
        created: now,
        updated: now,
        version: 1,
        accessToken: token.accessToken,
        refreshToken: token.refreshToken ?? null,
        characterId: token.characterId,
        characterName: token.characterName,
        tokenType: token.tokenType,
        ownerHash: token.ownerHash,
        ssoVersion: token.ssoVersion,
        userId: token.userId ?? null,
        scopes: [...token.scopes],
        expiresAt: token.expiresAt,
      };
      // One INSERT … RETURNING id; the rest of the token is what was written.
      const id = await db.em().insert(EsikitToken, row);
      return toToken({ ...row, id: String(id) });
    });
  }

  async get(id: string, options?: StoreCallOptions): Promise<Token | undefined> {
    return this.#run('read a token', options, async (db) => {
      if (!ID_RE.test(id)) return undefined;
      // The hottest read (twice per refresh): plain SQL, no query builder.
      const rows = await db.execute(`select ${cas.TOKEN_COLUMNS} from esikit_token where id = ?`, [
        id,
      ]);
      return rows[0] === undefined ? undefined : fromRow(rows[0]);
    });
  }

  async find(filter: TokenFilter, options?: StoreCallOptions): Promise<Token[]> {
    return this.#run('find tokens', options, async (db) => {
      // Raw rows, not entities: hydrating 10,000 entities costs more than the query.
      const rows = await tokens(db.em())
        .where(where(filter))
        .orderBy({ created: 'asc', id: 'asc' })
        .execute('all', false);
      return rows.map(fromRow);
    });
  }

  async update(
    id: string,
    expectedVersion: number,
    changes: TokenChanges,
    now: number,
    options?: StoreCallOptions,
  ): Promise<Token | undefined> {
    return this.#run('update a token', options, async (db) => {
      if (!ID_RE.test(id)) return undefined;
      const row = await cas.compareAndSet(db.execute, id, expectedVersion, changes, now);
      return row === undefined ? undefined : fromRow(row);
    });
  }

  async delete(id: string, expectedVersion?: number, options?: StoreCallOptions): Promise<boolean> {
    return this.#run('delete a token', options, async (db) => {
      if (!ID_RE.test(id)) return false;
      return cas.compareAndDelete(db.execute, id, expectedVersion);
    });
  }

  async acquireLease(
    key: string,
    holder: string,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<boolean> {
    return this.#run('take a refresh lease', options, async (db) => {
      return (await cas.acquireLease(db.execute, key, holder, ttlMs)) !== undefined;
    });
  }

  async renewLease(
    key: string,
    holder: string,
    ttlMs: number,
    options?: StoreCallOptions,
  ): Promise<boolean> {
    return this.#run('renew a refresh lease', options, (db) =>
      cas.renewLease(db.execute, key, holder, ttlMs),
    );
  }

  async releaseLease(key: string, holder: string, options?: StoreCallOptions): Promise<void> {
    return this.#run('release a refresh lease', options, (db) =>
      cas.releaseLease(db.execute, key, holder),
    );
  }

  async saveCallbackRedirect(
    redirect: CallbackRedirect,
    options?: StoreCallOptions,
  ): Promise<void> {
    return this.#run('save a login', options, async (db) => {
      await db.em().upsert(EsikitCallbackRedirect, {
        state: redirect.state,
        sessionKey: redirect.sessionKey,
        returnUrl: redirect.returnUrl ?? null,
        codeVerifier: redirect.codeVerifier ?? null,
        scopes: [...redirect.scopes],
        userId: redirect.userId ?? null,
        created: redirect.created,
      });
    });
  }

  async takeCallbackRedirect(
    state: string,
    options?: StoreCallOptions,
  ): Promise<CallbackRedirect | undefined> {
    return this.#run('take a login', options, async (db) => {
      const row = await cas.takeCallbackRedirect(db.execute, state);
      return row === undefined ? undefined : redirectFromRow(row);
    });
  }

  async deleteCallbackRedirectsBefore(cutoff: number, options?: StoreCallOptions): Promise<number> {
    return this.#run('delete old logins', options, (db) =>
      db.em().nativeDelete(EsikitCallbackRedirect, { created: { $lt: cutoff } }),
    );
  }

  /**
   * One store call: checks the signal and the schema (once), and turns database failures into
   * a secret-free `TokenError`. Plain statements run on the connection; calls that need an
   * entity manager get a fork of their own.
   */
  async #run<T>(
    what: string,
    options: StoreCallOptions | undefined,
    op: (db: { execute: cas.Execute; em: () => EntityManager }) => Promise<T>,
  ): Promise<T> {
    options?.signal?.throwIfAborted();
    const run = execute(this.#em);
    try {
      if (this.#migrated === undefined) {
        const check = assertMigrated(run);
        this.#migrated = check;
        // A failed check (database down) is retried by the next call.
        check.catch(() => {
          if (this.#migrated === check) this.#migrated = undefined;
        });
      }
      await this.#migrated;
      return await op({
        execute: run,
        em: () => this.#em.fork({ clear: true, useContext: false }),
      });
    } catch (error) {
      if (error instanceof EsikitDatabaseError) throw error;
      throw new TokenError(
        'ESIKIT_TOKEN_STORE_FAILED',
        `PostgreSQL token store failed to ${what}: ${describeDbError(error)}`,
        // Not the original error: MikroORM's carries the SQL with its bound token values.
        { cause: new Error(describeDbError(error)) },
      );
    }
  }
}

function execute(em: EntityManager): cas.Execute {
  const connection = em.getConnection();
  return (sql, params) => connection.execute<cas.Row[]>(sql, params as unknown[], 'all');
}

/** A select of every token column, read back as raw rows (see {@link fromRow}). */
function tokens(em: EntityManager) {
  return em.createQueryBuilder(EsikitToken).select(cas.TOKEN_COLUMNS.split(', ').map(camel));
}

function camel(column: string): string {
  return column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** A token from a raw esikit_token row (snake_case columns; bigint arrives as a string). */
function fromRow(row: cas.Row): Token {
  return Object.freeze({
    id: String(row.id),
    created: Number(row.created),
    updated: Number(row.updated),
    version: Number(row.version),
    accessToken: row.access_token as string,
    refreshToken: (row.refresh_token as string | null) ?? undefined,
    characterId: Number(row.character_id),
    characterName: row.character_name as string,
    tokenType: row.token_type as string,
    ownerHash: row.owner_hash as string,
    ssoVersion: Number(row.sso_version),
    userId: (row.user_id as string | null) ?? undefined,
    scopes: Object.freeze([...(row.scopes as string[])]),
    expiresAt: Number(row.expires_at),
  });
}

function where(filter: TokenFilter): FilterQuery<EsikitTokenRow> {
  const q: FilterQuery<EsikitTokenRow> & Record<string, unknown> = {};
  if (filter.characterId !== undefined) q.characterId = filter.characterId;
  if (filter.userId !== undefined) q.userId = filter.userId;
  if (filter.ownerHash !== undefined) q.ownerHash = filter.ownerHash;
  const expires: Record<string, number> = {};
  if (filter.expiredAt !== undefined) expires.$lte = filter.expiredAt;
  if (filter.validAt !== undefined) expires.$gt = filter.validAt;
  if (Object.keys(expires).length > 0) q.expiresAt = expires;
  const scopes: Record<string, string[]> = {};
  // @> and <@ are answered from the GIN index; together they mean "the same set".
  if (filter.requireScopes !== undefined && filter.requireScopes.length > 0)
    scopes.$contains = [...filter.requireScopes];
  if (filter.requireScopesExact !== undefined) {
    scopes.$contains = [...new Set([...(scopes.$contains ?? []), ...filter.requireScopesExact])];
    scopes.$contained = [...filter.requireScopesExact];
  }
  if (Object.keys(scopes).length > 0) q.scopes = scopes;
  return q;
}

function toToken(row: EsikitTokenRow): Token {
  return Object.freeze({
    id: String(row.id),
    created: Number(row.created),
    updated: Number(row.updated),
    version: Number(row.version),
    accessToken: row.accessToken,
    refreshToken: row.refreshToken ?? undefined,
    characterId: Number(row.characterId),
    characterName: row.characterName,
    tokenType: row.tokenType,
    ownerHash: row.ownerHash,
    ssoVersion: Number(row.ssoVersion),
    userId: row.userId ?? undefined,
    scopes: Object.freeze([...row.scopes]),
    expiresAt: Number(row.expiresAt),
  });
}

/** A login from a raw esikit_callback_redirect row. */
function redirectFromRow(row: cas.Row): CallbackRedirect {
  return Object.freeze({
    state: row.state as string,
    sessionKey: row.session_key as string,
    returnUrl: (row.return_url as string | null) ?? undefined,
    codeVerifier: (row.code_verifier as string | null) ?? undefined,
    scopes: Object.freeze([...(row.scopes as string[])]),
    userId: (row.user_id as string | null) ?? undefined,
    created: Number(row.created),
  });
}
