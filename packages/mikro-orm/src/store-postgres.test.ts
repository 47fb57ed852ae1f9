import { randomBytes } from 'node:crypto';
import { EncryptedTokenStore, TokenCipher } from '@esikit/core/sso';
import { sampleToken, tokenStoreContract } from '@esikit/core/sso/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openEsikitDatabase, type EsikitDatabase } from './index.js';
import { createTestDatabase, postgresProblem, truncateEsikitTables } from './testing/postgres.js';
import { describePostgres } from './testing/suite.js';

const problem = await postgresProblem();

describePostgres('MikroOrmTokenStore on PostgreSQL', problem, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: EsikitDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('store');
    db = await openEsikitDatabase({ url: database.url, migrate: true });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  tokenStoreContract(
    'MikroOrmTokenStore on PostgreSQL',
    { describe, it, beforeEach, afterEach },
    async () => {
      await truncateEsikitTables(db.orm);
      return { store: db.store };
    },
  );

  const cipher = new TokenCipher({ keys: { k1: randomBytes(32) }, currentKeyId: 'k1' });
  tokenStoreContract(
    'EncryptedTokenStore(MikroOrmTokenStore) on PostgreSQL',
    { describe, it, beforeEach, afterEach },
    async () => {
      await truncateEsikitTables(db.orm);
      return { store: new EncryptedTokenStore(db.store, cipher) };
    },
  );

  it('EncryptedTokenStore over it: the database holds only ciphertext', async () => {
    await truncateEsikitTables(db.orm);
    const input = sampleToken();
    const created = await new EncryptedTokenStore(db.store, cipher).create(input, 1000);
    const rows = await db.orm.em
      .getConnection()
      .execute<{ access_token: string; refresh_token: string }[]>(
        'select access_token, refresh_token from esikit_token where id = ?',
        [created.id],
      );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.access_token).not.toContain(input.accessToken);
    expect(rows[0]!.refresh_token).not.toContain(input.refreshToken!);
    expect(TokenCipher.keyIdOf(rows[0]!.refresh_token)).toBe('k1');
  });

  it('the entities match the migrations: a schema diff proposes nothing', async () => {
    const diff = await db.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe('');
  });

  it('fencing: a holder whose lease expired cannot overwrite or delete what a newer holder wrote', async () => {
    await truncateEsikitTables(db.orm);
    const store = db.store;
    const token = await store.create(sampleToken(), 1000);
    // A takes the lease and reads version 1, then stalls past its ttl.
    expect(await store.acquireLease(`refresh:${token.id}`, 'A', 30)).toBe(true);
    const seenByA = await store.get(token.id);
    await new Promise((r) => setTimeout(r, 100));
    // B takes the expired lease and writes.
    expect(await store.acquireLease(`refresh:${token.id}`, 'B', 10_000)).toBe(true);
    const seenByB = (await store.get(token.id))!;
    const written = await store.update(token.id, seenByB.version, { accessToken: 'by-B' }, 2000);
    expect(written?.version).toBe(2);
    // A wakes up: its lease is gone, and its version-1 writes match nothing.
    expect(await store.renewLease(`refresh:${token.id}`, 'A', 10_000)).toBe(false);
    expect(await store.update(token.id, seenByA!.version, { accessToken: 'by-A' }, 3000)).toBe(
      undefined,
    );
    expect(await store.delete(token.id, seenByA!.version)).toBe(false);
    // A's release does not free B's lease.
    await store.releaseLease(`refresh:${token.id}`, 'A');
    expect(await store.acquireLease(`refresh:${token.id}`, 'C', 10_000)).toBe(false);
    expect((await store.get(token.id))?.accessToken).toBe('by-B');
    const leases = await db.orm.em
      .getConnection()
      .execute<{ holder: string; fence: string }[]>(
        'select holder, fence from esikit_refresh_lease where key = ?',
        [`refresh:${token.id}`],
      );
    expect(leases).toEqual([{ holder: 'B', fence: '2' }]);
  });

  it('scope filters run in SQL on the GIN index', async () => {
    await truncateEsikitTables(db.orm);
    // Planner statistics on an almost empty table favour a sequential scan; turn that off to
    // see which index the query can use.
    const plan = await db.orm.em.transactional(async (em) => {
      await em
        .getConnection()
        .execute('set local enable_seqscan = off', [], 'run', em.getTransactionContext());
      return em
        .getConnection()
        .execute<{ 'QUERY PLAN': string }[]>(
          `explain select * from esikit_token where scopes @> '{esi-skills.read_skills.v1}'::text[]`,
          [],
          'all',
          em.getTransactionContext(),
        );
    });
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/esikit_token_scopes_gin/);
  });

  it('store failures never carry token values', async () => {
    await truncateEsikitTables(db.orm);
    const secret = 'refresh-SECRET-' + 'x'.repeat(20);
    // A character id beyond bigint makes PostgreSQL reject the insert of this token.
    const error = await db.store
      .create(sampleToken({ refreshToken: secret, characterId: 2 ** 70 }), 1000)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TokenError', code: 'ESIKIT_TOKEN_STORE_FAILED' });
    const seen =
      JSON.stringify(error, Object.getOwnPropertyNames(error)) + String((error as Error).cause);
    expect(seen).not.toContain(secret);
    expect((error as Error).message).toMatch(
      /PostgreSQL token store failed to create a token: PostgreSQL error 22(003|P02)/,
    );
  });
});
