// Run in a fresh process by lazy-load.test.ts: reports which of the CommonJS dependencies that
// building a schema does not need (DataLoader, GraphQL Armor) are loaded after importing this
// package and building a schema, and after validating and running one query against the
// simulator at argv[2].
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const loaded = (): { dataloader: boolean; armor: boolean } => {
  const files = Object.keys(require.cache);
  return {
    dataloader: files.some((f) => /[\\/]dataloader[\\/]/.test(f)),
    armor: files.some((f) => /[\\/]graphql-armor-max-(depth|aliases)[\\/]/.test(f)),
  };
};

const { execute, parse, specifiedRules, validate } = await import('graphql');
const { createEsiClient } = await import('@esikit/core');
const { createEsiSchema } = await import('@esikit/graphql');
const esi = createEsiClient({
  appInfo: { name: 'esikit-tests', version: '1.0.0' },
  contactEmail: 'tests@esikit.invalid',
  baseUrl: process.argv[2] ?? '',
});
const esiSchema = await createEsiSchema({
  esi,
  subscriptions: false,
  limits: { maxAliases: 2, maxDepth: 3 },
});
const afterBuild = loaded();
const rules = [...specifiedRules, ...esiSchema.validationRules];
// Over each limit: GraphQL Armor's rules must run and refuse them (its depth rule throws).
const refusal = (query: string): string[] => {
  try {
    return validate(esiSchema.schema, parse(query), rules).map((e) => e.message);
  } catch (error) {
    return [(error as Error).message];
  }
};
const refused = [
  ...refusal('{ a: status { players } b: status { players } c: status { players } }'),
  ...refusal(
    `{ character(character_id: ${process.argv[3]}) { corporation { alliance { name } } } }`,
  ),
];
const document = parse(
  `{ character(character_id: ${process.argv[3]}) { name corporation { name } } }`,
);
const errors = validate(esiSchema.schema, document, rules);
const result = await execute({
  schema: esiSchema.schema,
  document,
  contextValue: esiSchema.context(),
});
const afterQuery = loaded();
await esi.close();
process.stdout.write(
  JSON.stringify({
    afterBuild,
    afterQuery,
    refused,
    errors: [...errors, ...(result.errors ?? [])].map((e) => e.message),
    data: result.data,
  }),
);
