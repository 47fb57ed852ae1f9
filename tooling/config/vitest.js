// Shared vitest preset: tests run from TypeScript sources of sibling packages (through the
// `@esikit/source` export condition), so no build is needed before `pnpm test`.
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';

const conditions = ['@esikit/source', 'node', 'import', 'module', 'default'];

export const base = defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@esikit/source'] } },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // What tests keep in a cache (the embedded database's template, @esikit/mikro-orm) goes to
    // the repository's ignored .cache, never the user's ~/.cache.
    env: { XDG_CACHE_HOME: fileURLToPath(new URL('../../.cache/test', import.meta.url)) },
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});

/** @param {import('vitest/config').UserConfig} [overrides] */
export function esikitVitest(overrides = {}) {
  return mergeConfig(base, overrides);
}
