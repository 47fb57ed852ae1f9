// The template of new embedded databases: the first new database is kept (pristine, before the
// migrations) in the template directory and later new ones start as a copy of it; a damaged
// template is replaced; a directory others can write to is never used; existing databases never
// read it.
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openEsikitDatabase, type EsikitDatabase, type EsikitDatabaseOptions } from './index.js';

// Each initdb takes seconds (tens under CI load), so the file makes two in beforeAll and the
// tests copy them; each test makes at most one more.
let dir: string;
/** The template file's name and bytes, as the first new database kept them. */
let kept: { name: string; bytes: Buffer };
/** A template holding the table `template_marker`: a database made from it has that table. */
let marked: Buffer;
beforeAll(async () => {
  const seedDir = await mkdtemp(join(tmpdir(), 'esikit-template-seed-'));
  try {
    const first = await openEsikitDatabase({ dataDir: ':memory:', templateDir: seedDir, env: {} });
    // Migrated after the copy was kept: the copy is pristine, the database is not.
    expect(await hasTable(first, 'esikit_token')).toBe(true);
    await first.close();
    const [name] = await templates(seedDir);
    expect(name).toBeDefined();
    expect((await stat(join(seedDir, name!))).mode & 0o777).toBe(0o600);
    expect((await stat(seedDir)).mode & 0o777).toBe(0o700);
    kept = { name: name!, bytes: await readFile(join(seedDir, name!)) };
  } finally {
    await rm(seedDir, { recursive: true, force: true });
  }
  marked = await markedTemplate();
}, 180_000);
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esikit-template-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A private template directory at `path` holding `bytes` as the template. */
async function plant(path: string, bytes: Buffer): Promise<string> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await writeFile(join(path, kept.name), bytes, { mode: 0o600 });
  return join(path, kept.name);
}

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

/** Whether a new in-memory database opened with `options` started from the marked template. */
async function fromMarked(options: EsikitDatabaseOptions): Promise<boolean> {
  const db = await openEsikitDatabase({ ...options, dataDir: ':memory:' });
  try {
    return await hasTable(db, 'template_marker');
  } finally {
    await db.close();
  }
}

describe('the template of new embedded databases', () => {
  it('starts a new database from the kept template, and opens an existing one as it is', async () => {
    // beforeAll proved the first new database keeps a pristine, private template.
    expect(kept.bytes.length).toBeGreaterThan(1_000_000);
    const templateDir = join(dir, 'templates');
    const file = await plant(templateDir, marked);
    const second = await openEsikitDatabase({ dataDir: join(dir, 'db'), templateDir, env: {} });
    expect(await hasTable(second, 'template_marker')).toBe(true);
    expect(await hasTable(second, 'esikit_token')).toBe(true);
    await second.close();
    // An existing directory is opened as it is, never from the template.
    await writeFile(file, 'not a template');
    const again = await openEsikitDatabase({ dataDir: join(dir, 'db'), templateDir, env: {} });
    expect(await hasTable(again, 'template_marker')).toBe(true);
    await again.close();
    expect(await readFile(file, 'utf8')).toBe('not a template');
  }, 120_000);

  it('replaces a damaged template and still opens', async () => {
    const templateDir = join(dir, 'templates');
    const file = await plant(templateDir, Buffer.from('garbage, not a gzipped data directory'));
    const db = await openEsikitDatabase({ dataDir: join(dir, 'db'), templateDir, env: {} });
    expect(await hasTable(db, 'esikit_token')).toBe(true);
    await db.close();
    expect((await stat(file)).size).toBeGreaterThan(1_000_000);
  }, 120_000);

  it('never reads a template file others can write to (the open replaces it with its own)', async () => {
    const file = await plant(join(dir, 'shared'), marked);
    await chmod(file, 0o666);
    expect(await fromMarked({ templateDir: join(dir, 'shared'), env: {} })).toBe(false);
    expect(Buffer.compare(await readFile(file), marked)).not.toBe(0);
  }, 120_000);

  it('never uses a directory others can write to: its template is neither read nor replaced', async () => {
    const file = await plant(join(dir, 'shared'), marked);
    await chmod(join(dir, 'shared'), 0o777);
    expect(await fromMarked({ templateDir: join(dir, 'shared'), env: {} })).toBe(false);
    expect(Buffer.compare(await readFile(file), marked)).toBe(0);
  }, 120_000);

  it('by default uses $XDG_CACHE_HOME/esikit; false uses none', async () => {
    const xdg = join(dir, 'xdg');
    await plant(join(xdg, 'esikit'), marked);
    expect(await fromMarked({ env: { XDG_CACHE_HOME: xdg } })).toBe(true);
    expect(await fromMarked({ templateDir: false, env: { XDG_CACHE_HOME: xdg } })).toBe(false);
  }, 120_000);

  it('ignores a relative XDG_CACHE_HOME (XDG calls it invalid) and uses ~/.cache/esikit', async () => {
    const home = process.env.HOME;
    process.env.HOME = join(dir, 'home');
    try {
      await plant(join(dir, 'home', '.cache', 'esikit'), marked);
      expect(await fromMarked({ env: { XDG_CACHE_HOME: 'relative' } })).toBe(true);
    } finally {
      if (home === undefined) delete process.env.HOME;
      else process.env.HOME = home;
    }
  }, 120_000);

  it('refuses a templateDir that is not a path or false', async () => {
    await expect(
      openEsikitDatabase({ dataDir: ':memory:', templateDir: '' as string, env: {} }),
    ).rejects.toThrow(/templateDir must be a directory path or false, got ""/);
  });
});
