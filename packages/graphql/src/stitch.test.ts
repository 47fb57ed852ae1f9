// A gateway stitches its own schema with ESI: User.mainCharacter is ESI's Character, merged by id.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { createYoga } from 'graphql-yoga';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { stitchSchemas } from '@graphql-tools/stitch';
import { esiSubschema, Int64 } from './index.js';
import { harness, NO_VIOLATIONS, type Loose } from '../test/fixture.js';

it('queries across a user schema and ESI through a stitched gateway', async () => {
  await using h = await harness();
  const [a, b] = h.sim.characters;
  const users = [
    { id: 'u1', name: 'Alice', mainCharacterId: a!.id },
    { id: 'u2', name: 'Bob', mainCharacterId: b!.id },
  ];
  const userSchema = makeExecutableSchema({
    typeDefs: /* GraphQL */ `
      scalar Int64
      type Character {
        id: Int64!
      }
      type User {
        id: ID!
        name: String!
        mainCharacterId: Int64!
        mainCharacter: Character!
      }
      type Query {
        users: [User!]!
      }
    `,
    resolvers: {
      Int64,
      Query: { users: () => users },
      User: { mainCharacter: (u: (typeof users)[number]) => ({ id: u.mainCharacterId }) },
    },
  });
  const gateway = stitchSchemas({
    subschemas: [esiSubschema(h.esiSchema), { schema: userSchema }],
  });
  const yoga = createYoga({
    schema: gateway,
    context: () => h.esiSchema.context(),
    logging: false,
  });
  const server = createServer((req, res) => void yoga(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `{ users { name mainCharacter { id name corporation { id name } } } status { players } }`,
      }),
    });
    const body = (await res.json()) as { data: Loose; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.users).toEqual([
      {
        name: 'Alice',
        mainCharacter: {
          id: a!.id,
          name: a!.name,
          corporation: { id: a!.corporationId, name: expect.any(String) },
        },
      },
      {
        name: 'Bob',
        mainCharacter: {
          id: b!.id,
          name: b!.name,
          corporation: { id: b!.corporationId, name: expect.any(String) },
        },
      },
    ]);
    expect(body.data.status.players).toEqual(expect.any(Number));
    expect(h.esiRequests('GetCharactersDetail')).toBe(2);
    expect(h.sim.stats().violations).toEqual(NO_VIOLATIONS);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
