import { defineEntity, type InferEntity } from '@mikro-orm/core';

// Times are milliseconds since the epoch, as in core's `Token`: bigint columns read as numbers,
// so a row converts to a `Token` without a Date round trip.

/**
 * An SSO token row: everything core's `Token` holds. `userId` is the owning user in the host
 * application, stored as text so any key type fits; relate an app's `User` to it by that id.
 *
 * @example
 * const orm = await MikroORM.init({ entities: [User, ...esikitEntities], ... });
 * const mine = await orm.em.fork().find(EsikitToken, { userId: String(user.id) });
 */
export const EsikitToken = defineEntity({
  name: 'EsikitToken',
  tableName: 'esikit_token',
  properties: (p) => ({
    id: p.bigint('string').primary().autoincrement(),
    created: p.bigint('number'),
    updated: p.bigint('number'),
    // Optimistic locking for apps that change tokens through an entity manager; the store
    // itself compares and sets the version in one UPDATE statement.
    version: p.integer().version(),
    accessToken: p.text(),
    refreshToken: p.text().nullable(),
    characterId: p.bigint('number').index('esikit_token_character_id_index'),
    characterName: p.text(),
    tokenType: p.text(),
    ownerHash: p.text(),
    ssoVersion: p.integer(),
    userId: p.text().nullable().index('esikit_token_user_id_index'),
    // text[] with a GIN index: `requireScopes` is `scopes @> $1`, answered from the index.
    scopes: p.array().columnType('text[]'),
    expiresAt: p.bigint('number').index('esikit_token_expires_at_index'),
  }),
  indexes: [
    {
      name: 'esikit_token_scopes_gin',
      expression: 'create index "esikit_token_scopes_gin" on "esikit_token" using gin ("scopes")',
    },
  ],
});

/**
 * A token row as MikroORM loads it.
 *
 * @example
 * const rows: EsikitTokenRow[] = await em.find(EsikitToken, {});
 */
export type EsikitTokenRow = InferEntity<typeof EsikitToken>;

/**
 * A login in progress (core's `CallbackRedirect`), keyed by its OAuth `state`.
 *
 * @example
 * const pending = await em.count(EsikitCallbackRedirect, {});
 */
export const EsikitCallbackRedirect = defineEntity({
  name: 'EsikitCallbackRedirect',
  tableName: 'esikit_callback_redirect',
  properties: (p) => ({
    state: p.text().primary(),
    sessionKey: p.text(),
    returnUrl: p.text().nullable(),
    codeVerifier: p.text().nullable(),
    scopes: p.array().columnType('text[]'),
    userId: p.text().nullable(),
    created: p.bigint('number').index('esikit_callback_redirect_created_index'),
  }),
});

/**
 * A callback redirect row as MikroORM loads it.
 *
 * @example
 * const rows: EsikitCallbackRedirectRow[] = await em.find(EsikitCallbackRedirect, {});
 */
export type EsikitCallbackRedirectRow = InferEntity<typeof EsikitCallbackRedirect>;

/**
 * A refresh lease: who may call SSO for a token right now, and until when (database clock, so
 * every process judges expiry by one clock). `fence` grows by one on every acquisition; a holder
 * whose lease expired can tell it has been superseded. The table is UNLOGGED: leases need no
 * durability, and taking one then costs no WAL flush.
 *
 * @example
 * const held = await em.find(EsikitRefreshLease, {});
 */
export const EsikitRefreshLease = defineEntity({
  name: 'EsikitRefreshLease',
  tableName: 'esikit_refresh_lease',
  properties: (p) => ({
    key: p.text().primary(),
    holder: p.text(),
    expiresAt: p.datetime().columnType('timestamptz'),
    fence: p.bigint('number'),
  }),
});

/**
 * A lease row as MikroORM loads it.
 *
 * @example
 * const rows: EsikitRefreshLeaseRow[] = await em.find(EsikitRefreshLease, {});
 */
export type EsikitRefreshLeaseRow = InferEntity<typeof EsikitRefreshLease>;

/**
 * Every entity of this package: add them to your own MikroORM config to share one database.
 *
 * @example
 * await MikroORM.init({ driver: PostgreSqlDriver, entities: [User, ...esikitEntities] });
 */
export const esikitEntities = [EsikitToken, EsikitCallbackRedirect, EsikitRefreshLease] as const;
