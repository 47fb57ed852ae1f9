import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrateEsikitDatabase, openEsikitDatabase } from './index.js';
import { esikitMigrations } from './migrations/index.js';

const esikitMigrationCount = esikitMigrations.length;
import { createTestDatabase, postgresProblem } from './testing/postgres.js';
import { describePostgres } from './testing/suite.js';

const problem = await postgresProblem();
const packageDir = fileURLToPath(new URL('../', import.meta.url));

/** Runs the CLI from its TypeScript source, as `pnpm migrate` does. */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@esikit/source', '--import', 'tsx', 'src/bin/cli.ts', ...args],
      {
        cwd: packageDir,
        env: { ...process.env, DATABASE_URL: '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

describePostgres('migrations on PostgreSQL', problem, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase('migrate');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('an unmigrated database is refused with the command to run; the CLI migrates it once', async () => {
    await expect(openEsikitDatabase({ url: database.url })).rejects.toMatchObject({
      code: 'ESIKIT_DB_NOT_MIGRATED',
      message: expect.stringMatching(/no esikit tables yet.*npx esikit-mikro-orm migrate --url/),
    });
    const first = await cli(['migrate', '--url', database.url]);
    expect(first).toMatchObject({ code: 0 });
    expect(first.output).toMatch(/applied Migration20261126000000/);
    // DATABASE_URL is the default; a second run has nothing to do.
    const second = await cli(['migrate'], { DATABASE_URL: database.url });
    expect(second.output).toMatch(/the database is up to date/);
    expect(second.code).toBe(0);
    const db = await openEsikitDatabase({ url: database.url });
    await db.close();
  }, 60_000);

  it('processes that migrate a new database at the same moment take turns: one applies, the rest find it done', async () => {
    const fresh = await createTestDatabase('migrate-race');
    try {
      // Five openers with migrate: true (gateways starting together) and two CLI runs.
      const results = await Promise.allSettled([
        ...Array.from({ length: 5 }, () => openEsikitDatabase({ url: fresh.url, migrate: true })),
        migrateEsikitDatabase({ url: fresh.url }),
        migrateEsikitDatabase({ url: fresh.url }),
      ]);
      const failures = results.filter((r) => r.status === 'rejected');
      expect(failures.map((f) => String(f.reason))).toEqual([]);
      const applied = results.slice(5).map((r) => (r as PromiseFulfilledResult<string[]>).value);
      for (const r of results.slice(0, 5))
        await (r as PromiseFulfilledResult<{ close(): Promise<void> }>).value.close();
      expect(await migrateEsikitDatabase({ url: fresh.url })).toEqual([]);
      // Each migration was applied once, by whichever process came first.
      expect(applied.flat().length).toBeLessThanOrEqual(esikitMigrationCount);
    } finally {
      await fresh.drop();
    }
  }, 60_000);

  it('a database migrated by a newer version, or missing a migration, is refused by name', async () => {
    expect(await migrateEsikitDatabase({ url: database.url })).toEqual([]);
    const db = await openEsikitDatabase({ url: database.url });
    const conn = db.orm.em.getConnection();
    try {
      await conn.execute(`insert into esikit_migrations (name) values ('Migration29990101000000')`);
      await expect(openEsikitDatabase({ url: database.url })).rejects.toMatchObject({
        code: 'ESIKIT_DB_TOO_NEW',
        message: expect.stringContaining('Migration29990101000000'),
      });
      await conn.execute(`delete from esikit_migrations`);
      await conn.execute(`insert into esikit_migrations (name) values ('Migration29990101000000')`);
      await expect(openEsikitDatabase({ url: database.url })).rejects.toMatchObject({
        code: 'ESIKIT_DB_NOT_MIGRATED',
        message: expect.stringMatching(
          /out of date: 1 esikit migration\(s\) not applied \(Migration20261126000000\).*esikit-mikro-orm migrate/,
        ),
      });
    } finally {
      await db.close();
    }
  });

  it('a store on an app-owned MikroORM checks the migrations on first use', async () => {
    const fresh = await createTestDatabase('appowned');
    try {
      const { MikroORM } = await import('@mikro-orm/postgresql');
      const { MikroOrmTokenStore, esikitEntities } = await import('./index.js');
      const orm = await MikroORM.init({ clientUrl: fresh.url, entities: [...esikitEntities] });
      try {
        const store = new MikroOrmTokenStore({ em: orm.em });
        await expect(store.find({})).rejects.toMatchObject({ code: 'ESIKIT_DB_NOT_MIGRATED' });
        await migrateEsikitDatabase({ url: fresh.url });
        expect(await store.find({})).toEqual([]);
      } finally {
        await orm.close(true);
      }
    } finally {
      await fresh.drop();
    }
  });
});

it('the CLI explains its usage and refuses an unreachable database with a typed message', async () => {
  const usage = await cli(['frobnicate']);
  expect(usage.code).toBe(2);
  expect(usage.output).toMatch(/expected the command "migrate", got "frobnicate"/);
  const noUrl = await cli(['migrate']);
  expect(noUrl.code).toBe(1);
  expect(noUrl.output).toMatch(/url is required \(or set DATABASE_URL\)/);
  // Port 1 on loopback: nothing listens. The password never reaches the output.
  const down = await cli(['migrate', '--url', 'postgresql://me:hunter2@127.0.0.1:1/x']);
  expect(down.code).toBe(1);
  expect(down.output).toMatch(/cannot connect to postgresql:\/\/127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
  expect(down.output).not.toContain('hunter2');
}, 60_000);
