// @esikit/core/sso/redis — the Redis token store. Its own entry so that `@esikit/core/sso`
// (and its published types) never needs ioredis, an optional peer dependency.
export { RedisTokenStore } from './redis-store.js';
export type { RedisTokenStoreOptions } from './redis-store.js';
