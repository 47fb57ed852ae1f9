import { createRequire } from 'node:module';
import { base } from '@esikit/config/vitest';
import { defineConfig } from 'vitest/config';

// Vitest hands ssr.resolve.conditions to its workers as `node --conditions`. The shared preset's
// `import` condition then makes pg's own `require('pg-pool')` load pg-pool's ESM build (Node 20
// can require ESM), and pg fails with "Class extends value [object Module]". Same preset, minus
// the conditions Node applies by itself anyway (as in packages/mikro-orm).
const conditions = ['@esikit/source', 'node'];
// Yoga loads graphql as CommonJS; inlined sources (@esikit/graphql) would get its ESM build, and
// graphql refuses a schema from "another module or realm". One copy for everything (as in
// packages/graphql).
const graphql = createRequire(import.meta.url).resolve('graphql');

export default defineConfig({
  ...base,
  resolve: { ...base.resolve, alias: { graphql } },
  ssr: { resolve: { conditions, externalConditions: ['@esikit/source'] } },
  test: { ...base.test, testTimeout: 60_000, hookTimeout: 120_000 },
});
