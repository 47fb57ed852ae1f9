// useEsi building its own schema from options, and Cache-Control for user-specific answers.
import { expect, it } from 'vitest';
import type { ValidationRule } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { useEsi, EsiGraphQLOptionError } from './index.js';
import { harness, NO_VIOLATIONS, type Loose } from '../test/fixture.js';

it('builds the schema from options and marks user-specific answers private', async () => {
  await using h = await harness();
  const pilot = h.sim.characters[0]!;
  await h.sim.seedTokenStore(h.tokens.store, [
    { characterId: pilot.id, scopes: ['esi-wallet.read_character_wallet.v1'], userId: 'alice' },
  ]);
  const yoga = createYoga({
    plugins: [
      useEsi({
        esi: h.esi,
        tokens: h.tokens,
        clock: () => h.sim.clock.now(),
        metadata: 'always',
        user: ({ request }) => request.headers.get('x-user') ?? undefined,
      }),
    ],
    logging: false,
  });
  const ask = async (query: string, user?: string) => {
    const res = await yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(user ? { 'x-user': user } : {}) },
      body: JSON.stringify({ query }),
    });
    return {
      headers: res.headers,
      body: (await res.json()) as { data?: Loose; errors?: unknown; extensions?: Loose },
    };
  };
  const mine = await ask(
    `{ charactersWallet(character_id: ${pilot.id}) status { players } }`,
    'alice',
  );
  expect(mine.body.errors).toBeUndefined();
  expect(mine.body.data.charactersWallet).toEqual(expect.any(Number));
  expect(mine.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
  expect(mine.body.extensions.esi.personal).toBe(true);
  const shared = await ask('{ status { players } }');
  expect(shared.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
  expect(shared.body.extensions.esi.fields).toHaveLength(1);
  expect(h.sim.stats().violations).toEqual(NO_VIOLATIONS);
});

it('validates its options, naming the option', () => {
  expect(() => useEsi({ metadata: 'sometimes' as never, schema: {} as never })).toThrow(
    EsiGraphQLOptionError,
  );
  expect(() => useEsi({ user: 'alice' as never, schema: {} as never })).toThrow(
    /"user" must be a function/,
  );
});

it("keeps Yoga's parse and validation caches working: a repeated query runs the ESI limits once", async () => {
  await using h = await harness();
  // The same rules, counted; each keeps its name, which Yoga's validation cache keys on.
  const runs = h.esiSchema.validationRules.map(() => 0);
  const counted = h.esiSchema.validationRules.map((rule, i) => {
    const wrapped: ValidationRule = (context) => {
      runs[i]! += 1;
      return rule(context);
    };
    Object.defineProperty(wrapped, 'name', { value: rule.name });
    return wrapped;
  });
  expect(counted.length).toBeGreaterThan(0);
  const yoga = createYoga({
    plugins: [useEsi({ schema: { ...h.esiSchema, validationRules: counted } })],
    logging: false,
  });
  const ask = async (query: string): Promise<void> => {
    const res = await yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    expect(((await res.json()) as { errors?: unknown }).errors).toBeUndefined();
  };
  for (let i = 0; i < 5; i++) await ask('{ status { players } }');
  expect(runs).toEqual(counted.map(() => 1));
  // Another document is validated (and limited) on its own.
  await ask('{ status { server_version } }');
  expect(runs).toEqual(counted.map(() => 2));
  expect(h.sim.stats().violations).toEqual(NO_VIOLATIONS);
});
