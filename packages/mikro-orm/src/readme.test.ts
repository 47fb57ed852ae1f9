// The README's "relating your app's users to tokens", run on PostgreSQL: an app's own MikroORM
// holding its User next to the esikit entities in one database.
import { sampleToken } from '@esikit/core/sso/testing';
import { defineEntity, MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EsikitToken, esikitEntities, migrateEsikitDatabase, MikroOrmTokenStore } from './index.js';
import { createTestDatabase, postgresProblem } from './testing/postgres.js';
import { describePostgres } from './testing/suite.js';

const problem = await postgresProblem();

const User = defineEntity({
  name: 'User',
  tableName: 'app_user',
  properties: (p) => ({ id: p.text().primary(), name: p.text() }),
});

describePostgres('README: an app relates its users to tokens', problem, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let orm: MikroORM;
  beforeAll(async () => {
    database = await createTestDatabase('readme');
    await migrateEsikitDatabase({ url: database.url });
    orm = await MikroORM.init({
      clientUrl: database.url,
      entities: [User, ...esikitEntities],
      // esikit's migrations table is not the app's: without this its diff would drop it.
      schemaGenerator: { skipTables: ['esikit_migrations'] },
    });
  });
  afterAll(async () => {
    await orm?.close(true);
    await database?.drop();
  });

  it('shares one database: the app schema diff adds only its own table; tokens found by user', async () => {
    // The esikit tables are there already; the app's diff creates app_user and touches nothing
    // of esikit's.
    const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
    expect(diff).toMatch(/create table "app_user"/);
    expect(diff).not.toMatch(/esikit_/);
    await orm.getSchemaGenerator().updateSchema();
    await orm.em
      .getConnection()
      .execute(
        'alter table esikit_token add constraint esikit_token_user_fk foreign key (user_id) references app_user (id) on delete set null',
      );

    const store = new MikroOrmTokenStore({ em: orm.em });
    const em = orm.em.fork();
    em.create(User, { id: 'u-alice', name: 'alice' });
    await em.flush();
    const token = await store.create(sampleToken({ userId: 'u-alice' }), 1000);
    await store.create(sampleToken({ userId: undefined }), 1001);

    const user = await em.findOneOrFail(User, { name: 'alice' });
    const tokensOfAlice = await em.find(
      EsikitToken,
      { userId: user.id },
      { orderBy: { created: 'asc' } },
    );
    expect(tokensOfAlice.map((t) => t.id)).toEqual([token.id]);
    expect((await store.find({ userId: 'u-alice' })).map((t) => t.id)).toEqual([token.id]);

    // The foreign key holds: no token for an unknown user, and deleting the user unowns it.
    await expect(store.create(sampleToken({ userId: 'u-nobody' }), 1002)).rejects.toMatchObject({
      code: 'ESIKIT_TOKEN_STORE_FAILED',
      message: expect.stringContaining('23503'),
    });
    await em.removeAndFlush(user);
    expect((await store.get(token.id))?.userId).toBeUndefined();
  });
});
