// @esikit/mikro-orm — EVE SSO tokens, logins and refresh leases on MikroORM + PostgreSQL, with
// an embedded PGlite when no database is given.
export { openEsikitDatabase, migrateEsikitDatabase } from './database.js';
export type { EsikitDatabase, EsikitDatabaseOptions, MigrateOptions } from './database.js';
export { MikroOrmTokenStore } from './store.js';
export type { MikroOrmTokenStoreOptions } from './store.js';
export {
  EsikitCallbackRedirect,
  esikitEntities,
  EsikitRefreshLease,
  EsikitToken,
} from './entities.js';
export type {
  EsikitCallbackRedirectRow,
  EsikitRefreshLeaseRow,
  EsikitTokenRow,
} from './entities.js';
export { esikitMigrations } from './migrations/index.js';
export { EsikitDatabaseError } from './errors.js';
export type { EsikitDatabaseErrorCode } from './errors.js';
