// Modules that only requests use, loaded with their first use instead of with core: creating a
// client (or a GraphQL schema or tRPC router on one) sends nothing, and a cold start's cost is
// mostly module loading. `require` and `getBuiltinModule` are synchronous, so the callers stay so.
import { createRequire } from 'node:module';
import type * as Crypto from 'node:crypto';
import type { LRUCache } from 'lru-cache';

const require = createRequire(import.meta.url);
let lru: typeof LRUCache | undefined;

/** lru-cache's class (its CommonJS build: `require` cannot load the ESM one synchronously). */
export function lruCache(): typeof LRUCache {
  return (lru ??= (require('lru-cache') as { LRUCache: typeof LRUCache }).LRUCache);
}

/** `node:crypto`, which a cold process has not loaded yet. */
export function crypto(): typeof Crypto {
  return process.getBuiltinModule('node:crypto');
}
