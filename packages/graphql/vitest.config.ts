import { createRequire } from 'node:module';
import { esikitVitest } from '@esikit/config/vitest';

// Yoga and @graphql-tools load graphql as CommonJS; inlined sources would get its ESM build, and
// graphql refuses a schema from "another module or realm". One copy for everything:
const graphql = createRequire(import.meta.url).resolve('graphql');

export default esikitVitest({
  resolve: { alias: { graphql } },
  test: { globalSetup: ['./test/codegen-setup.ts'] },
});
