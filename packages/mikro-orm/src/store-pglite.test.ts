import { fork } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleToken, tokenStoreContract } from '@esikit/core/sso/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openEsikitDatabase, type EsikitDatabase } from './index.js';
import { truncateEsikitTables } from './testing/postgres.js';

// The embedded database needs nothing installed, so this suite always runs. One in-memory
// instance serves the whole contract (a fresh PGlite costs seconds); tables are emptied between
// tests.
describe('embedded PGlite in memory', () => {
  let db: EsikitDatabase;
  beforeAll(async () => {
    db = await openEsikitDatabase({ dataDir: ':memory:' });
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  it('opens the embedded kind, migrated', () => {
    expect(db.kind).toBe('embedded');
    expect(db.dataDir).toBeUndefined();
  });

  tokenStoreContract(
    'MikroOrmTokenStore on PGlite',
    { describe, it, beforeEach, afterEach },
    async () => {
      await truncateEsikitTables(db.orm);
      return { store: db.store };
    },
  );
});

describe('embedded PGlite in a directory', () => {
  let dir: string;
  // Opened once for the contract, then closed and reopened by the restart test below.
  let onDisk: EsikitDatabase;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'esikit-pglite-test-'));
    onDisk = await openEsikitDatabase({ dataDir: join(dir, 'db') });
  }, 60_000);
  afterAll(async () => {
    await onDisk?.close();
    await rm(dir, { recursive: true, force: true });
  });

  tokenStoreContract(
    'MikroOrmTokenStore on PGlite in a directory',
    { describe, it, beforeEach, afterEach },
    async () => {
      await truncateEsikitTables(onDisk.orm);
      return { store: onDisk.store };
    },
  );

  it('keeps tokens across a restart, and refuses a second opener while open', async () => {
    await onDisk.close();
    const dataDir = join(dir, 'db');
    const first = await openEsikitDatabase({ dataDir });
    let id: string;
    let socketDir: string;
    try {
      expect(first.dataDir).toBe(dataDir);
      socketDir = (
        JSON.parse(await readFile(join(dataDir, 'esikit.lock'), 'utf8')) as { socketDir: string }
      ).socketDir;
      expect(existsSync(socketDir)).toBe(true);
      id = (await first.store.create(sampleToken({ userId: 'u1' }), 1000)).id;
      await first.store.saveCallbackRedirect({
        state: 'state-1',
        sessionKey: 's',
        returnUrl: undefined,
        codeVerifier: undefined,
        scopes: ['publicData'],
        userId: 'u1',
        created: 1000,
      });
      const second = openEsikitDatabase({ dataDir });
      await expect(second).rejects.toMatchObject({
        name: 'EsikitDatabaseError',
        code: 'ESIKIT_DB_LOCKED',
      });
      await expect(second).rejects.toThrow(
        new RegExp(
          `${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is already open in process ${process.pid}`,
        ),
      );
    } finally {
      await first.close();
    }
    // Closed: the lockfile and the socket directory are gone, and everything committed is
    // still there.
    expect(existsSync(join(dataDir, 'esikit.lock'))).toBe(false);
    expect(existsSync(socketDir)).toBe(false);
    const again = await openEsikitDatabase({ dataDir });
    try {
      const token = await again.store.get(id);
      expect(token?.userId).toBe('u1');
      expect(token?.version).toBe(1);
      expect((await again.store.takeCallbackRedirect('state-1'))?.userId).toBe('u1');
    } finally {
      await again.close();
    }
  }, 120_000);

  it('another process on an open directory gets a clear error; after a kill -9 the directory opens again, data intact', async () => {
    // The directory of the test above, if it ran: reopening costs less than creating one.
    const dataDir = join(dir, 'db');
    const child = fork(
      fileURLToPath(new URL('./testing/embedded-child.ts', import.meta.url)),
      [dataDir],
      {
        execArgv: ['--import', 'tsx', '--conditions=@esikit/source'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const first = await new Promise<Record<string, unknown>>((resolve) =>
        child.once('message', (m) => resolve(m as Record<string, unknown>)),
      );
      expect(first).toMatchObject({ opened: true });
      // This process is the second opener now.
      const error = await openEsikitDatabase({ dataDir }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'EsikitDatabaseError', code: 'ESIKIT_DB_LOCKED' });
      expect((error as Error).message).toContain(`is already open in process ${child.pid}`);
      // The holder dies without closing anything: its lockfile stays behind, stale, and so
      // does its socket directory, which the next opener removes.
      const stale = JSON.parse(await readFile(join(dataDir, 'esikit.lock'), 'utf8')) as {
        pid: number;
        socketDir: string;
      };
      expect(stale.pid).toBe(child.pid);
      child.kill('SIGKILL');
      await exited;
      expect(existsSync(stale.socketDir)).toBe(true);
      const db = await openEsikitDatabase({ dataDir });
      expect(existsSync(stale.socketDir)).toBe(false);
      try {
        const token = await db.store.get(first.tokenId as string);
        expect(token?.userId).toBe('from-child');
      } finally {
        await db.close();
      }
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);

  it('a process killed (-9) while it creates a new database: the next open starts it over and works', async () => {
    const dataDir = join(dir, 'cut-short');
    const child = fork(
      fileURLToPath(new URL('./testing/embedded-child.ts', import.meta.url)),
      [dataDir, 'no-template'],
      {
        execArgv: ['--import', 'tsx', '--conditions=@esikit/source'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let opened = false;
    child.once('message', () => (opened = true));
    try {
      // initdb (seconds of WebAssembly) has begun writing the data directory: kill it there.
      const pgdata = join(dataDir, 'pgdata');
      while (!opened && !(existsSync(pgdata) && readdirSync(pgdata).length > 0))
        await new Promise((r) => setTimeout(r, 5));
      expect(opened).toBe(false);
      child.kill('SIGKILL');
      await exited;
      expect(readdirSync(pgdata).length).toBeGreaterThan(0); // half made, left behind
      const db = await openEsikitDatabase({ dataDir, templateDir: false });
      try {
        const token = await db.store.create(sampleToken({ userId: 'after-the-kill' }), 1000);
        expect((await db.store.get(token.id))?.userId).toBe('after-the-kill');
      } finally {
        await db.close();
      }
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
