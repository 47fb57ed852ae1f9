// The template of new embedded databases: the first new database is kept (pristine, before the
// migrations) in the template directory and later new ones start as a copy of it; a damaged
// template is replaced; a directory others can write to is never used; existing databases never
// read it.
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEsikitDatabase, type EsikitDatabase } from './index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esikit-template-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const templates = async (d: string) =>
  (await readdir(d)).filter((f) => /^pglite-[\d.]+-initdb\.tgz$/.test(f));

/** A gzipped PGlite data directory holding the table `template_marker`. */
async function markedTemplate(): Promise<Buffer> {
  const marked = await PGlite.create();
  await marked.exec('create table template_marker (id int)');
  const dump = Buffer.from(await (await marked.dumpDataDir('gzip')).arrayBuffer());
  await marked.close();
  return dump;
}

/** Whether the database has a table named `name` in schema public. */
async function hasTable(db: EsikitDatabase, name: string): Promise<boolean> {
  const rows = await db.orm.em
    .getConnection()
    .execute<{ n: number }[]>(
      `select count(*)::int as n from information_schema.tables where table_schema = 'public' and table_name = ?`,
      [name],
    );
  return rows[0]!.n === 1;
}

describe('the template of new embedded databases', () => {
  it('keeps the first new database, pristine, and starts the next new one from it', async () => {
    const templateDir = join(dir, 'templates');
    const first = await openEsikitDatabase({ dataDir: ':memory:', templateDir, env: {} });
    expect(await hasTable(first, 'esikit_token')).toBe(true); // migrated after the copy was kept
    await first.close();
    const [file] = await templates(templateDir);
    expect(file).toBeDefined();
    expect((await stat(join(templateDir, file!))).mode & 0o777).toBe(0o600);
    expect((await stat(templateDir)).mode & 0o777).toBe(0o700);

    // Prove the copy is used: swap in a template holding a marker table.
    await writeFile(join(templateDir, file!), await markedTemplate(), { mode: 0o600 });
    const second = await openEsikitDatabase({ dataDir: join(dir, 'db'), templateDir, env: {} });
    expect(await hasTable(second, 'template_marker')).toBe(true);
    expect(await hasTable(second, 'esikit_token')).toBe(true);
    await second.close();
    // An existing directory is opened as it is, never from the template.
    await writeFile(join(templateDir, file!), 'not a template');
    const again = await openEsikitDatabase({ dataDir: join(dir, 'db'), templateDir, env: {} });
    expect(await hasTable(again, 'template_marker')).toBe(true);
    await again.close();
    expect(await readFile(join(templateDir, file!), 'utf8')).toBe('not a template');
  }, 120_000);

  it('replaces a damaged template and still opens', async () => {
    const templateDir = join(dir, 'templates');
    const seed = await openEsikitDatabase({ dataDir: ':memory:', templateDir, env: {} });
    await seed.close();
    const [file] = await templates(templateDir);
    await writeFile(join(templateDir, file!), 'garbage, not a gzipped data directory');
    const db = await openEsikitDatabase({ dataDir: join(dir, 'db'), templateDir, env: {} });
    expect(await hasTable(db, 'esikit_token')).toBe(true);
    await db.close();
    expect((await stat(join(templateDir, file!))).size).toBeGreaterThan(1_000_000);
  }, 120_000);

  it('never uses a directory others can write to; false keeps none; the default is under XDG_CACHE_HOME', async () => {
    const open = join(dir, 'shared');
    const seed = await openEsikitDatabase({ dataDir: ':memory:', templateDir: open, env: {} });
    await seed.close();
    const [file] = await templates(open);
    const marked = await markedTemplate();
    // A template file others can write to is not read (the open replaces it with its own).
    await writeFile(join(open, file!), marked, { mode: 0o600 });
    await chmod(join(open, file!), 0o666);
    const a = await openEsikitDatabase({ dataDir: ':memory:', templateDir: open, env: {} });
    expect(await hasTable(a, 'template_marker')).toBe(false);
    await a.close();
    // A directory others can write to is not used at all: its template is neither read nor
    // replaced.
    await writeFile(join(open, file!), marked, { mode: 0o600 });
    await chmod(join(open, file!), 0o600);
    await chmod(open, 0o777);
    const b = await openEsikitDatabase({ dataDir: ':memory:', templateDir: open, env: {} });
    expect(await hasTable(b, 'template_marker')).toBe(false);
    await b.close();
    expect(Buffer.compare(await readFile(join(open, file!)), marked)).toBe(0);
    // false keeps none; without the option it is $XDG_CACHE_HOME/esikit.
    const xdg = join(dir, 'xdg');
    const off = await openEsikitDatabase({
      dataDir: ':memory:',
      templateDir: false,
      env: { XDG_CACHE_HOME: xdg },
    });
    await off.close();
    await expect(stat(join(xdg, 'esikit'))).rejects.toThrow();
    const byDefault = await openEsikitDatabase({
      dataDir: ':memory:',
      env: { XDG_CACHE_HOME: xdg },
    });
    await byDefault.close();
    expect(await templates(join(xdg, 'esikit'))).toHaveLength(1);
  }, 120_000);

  it('refuses a templateDir that is not a path or false', async () => {
    await expect(
      openEsikitDatabase({ dataDir: ':memory:', templateDir: '' as string, env: {} }),
    ).rejects.toThrow(/templateDir must be a directory path or false, got ""/);
  });
});
