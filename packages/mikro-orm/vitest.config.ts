import { base } from '@esikit/config/vitest';
import { defineConfig } from 'vitest/config';

// Vitest hands ssr.resolve.conditions to its workers as `node --conditions`. The shared preset's
// `import` condition then makes pg's own `require('pg-pool')` load pg-pool's ESM build (Node 20
// can require ESM), and pg fails with "Class extends value [object Module]". Same preset, minus
// the conditions Node applies by itself anyway.
const conditions = ['@esikit/source', 'node'];

export default defineConfig({
  ...base,
  ssr: { resolve: { conditions, externalConditions: ['@esikit/source'] } },
});
