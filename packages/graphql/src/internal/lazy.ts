// CommonJS dependencies that building a schema never touches: DataLoader (a request's batching)
// and GraphQL Armor (a document's validation). Required on first use instead of imported, so
// importing this package and building a schema load neither (a cold start's cost is mostly
// module loading); `require` is synchronous, so the first request or validation gets them at once.
import { createRequire } from 'node:module';
import type DataLoaderClass from 'dataloader';
import type * as MaxDepth from '@escape.tech/graphql-armor-max-depth';
import type * as MaxAliases from '@escape.tech/graphql-armor-max-aliases';

const require = createRequire(import.meta.url);

function once<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}

export const dataLoader = once<typeof DataLoaderClass>('dataloader');
export const maxDepth = once<typeof MaxDepth>('@escape.tech/graphql-armor-max-depth');
export const maxAliases = once<typeof MaxAliases>('@escape.tech/graphql-armor-max-aliases');
