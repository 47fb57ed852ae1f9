// The README's example queries are valid against the schema, within the default limits.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parse, specifiedRules, validate } from 'graphql';
import { createEsiClient } from '@esikit/core';
import { createEsiSchema } from './index.js';
import { APP, SPEC_FILE } from '../test/fixture.js';

it('has example queries that validate against the schema and its limits', async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const queries = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(queries.length).toBeGreaterThanOrEqual(3);
  const esi = createEsiClient({ ...APP, specFile: SPEC_FILE });
  const esiSchema = await createEsiSchema({ esi });
  for (const query of queries)
    expect(
      validate(esiSchema.schema, parse(query), [
        ...specifiedRules,
        ...esiSchema.validationRules,
      ]).map((e) => e.message),
    ).toEqual([]);
  await esi.close();
});
