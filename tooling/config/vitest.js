// Shared vitest preset: tests run from TypeScript sources of sibling packages (through the
// `@esikit/source` export condition), so no build is needed before `pnpm test`.
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
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});

/** @param {import('vitest/config').UserConfig} [overrides] */
export function esikitVitest(overrides = {}) {
  return mergeConfig(base, overrides);
}
