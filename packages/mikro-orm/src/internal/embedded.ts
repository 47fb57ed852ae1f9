import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EsikitDatabaseError } from '../errors.js';
import { acquireLockfile, type HeldLock } from './lockfile.js';

/** An embedded PostgreSQL (PGlite) served on a private unix socket by a worker thread. */
export interface EmbeddedPostgres {
  /** Directory holding the socket `.s.PGSQL.5432`: the `host` for a PostgreSQL client. */
  readonly socketDir: string;
  readonly port: number;
  /** The data directory, or `undefined` in memory. */
  readonly dataDir: string | undefined;
  /** Stops the socket server and PGlite, ends the worker, removes the socket and the lockfile. */
  close(): Promise<void>;
}

const PORT = 5432;

// The worker is plain JavaScript evaluated from this string, so the same code runs from the
// TypeScript sources (tests, tsx) and from dist without a separate worker file to ship. PGlite
// runs single-threaded on the thread that loads it (a 0.8 s query froze the event loop), so it
// gets a thread of its own; the app talks to it through the ordinary PostgreSQL protocol.
const WORKER = `
const { parentPort, workerData, threadId } = require('node:worker_threads');
const { createRequire } = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

// A new database is PGlite's initdb: about 5 s of WebAssembly. The first one made on this
// machine is kept (gzipped, ~4.5 MB, one file per PGlite version) in the user's own template
// directory, and every later new database starts as a copy of it (~1.5 s). Only a directory
// that is the user's and writable by no one else is used: a template becomes the database.
function templateFile(load) {
  const dir = workerData.templateDir;
  if (!dir) return undefined;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ownedPrivately(fs.lstatSync(dir), true)) return undefined;
    const entry = load.resolve('@electric-sql/pglite');
    const root = entry.slice(0, entry.lastIndexOf(path.sep + 'dist' + path.sep));
    const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    return path.join(dir, 'pglite-' + version + '-initdb.tgz');
  } catch {
    return undefined;
  }
}

// The user's own, not a symlink, and writable by no one else.
function ownedPrivately(st, isDir) {
  if (isDir ? !st.isDirectory() : !st.isFile()) return false;
  if (process.getuid && st.uid !== process.getuid()) return false;
  return (st.mode & 0o022) === 0;
}

// New: no data directory yet, or an empty one. Anything else is opened as it is.
function isNew(dataDir) {
  if (dataDir === undefined) return true;
  try {
    return fs.readdirSync(dataDir).length === 0;
  } catch (e) {
    if (e && e.code === 'ENOENT') return true;
    throw e;
  }
}

// The template's bytes, if it is a private regular file of the user's (read from the same open
// file that was checked).
function readTemplate(file) {
  let fd;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW || 0));
    if (!ownedPrivately(fs.fstatSync(fd), false)) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

async function open(PGlite, load) {
  const dataDir = workerData.dataDir;
  const target = dataDir ?? 'memory://';
  const template = isNew(dataDir) ? templateFile(load) : undefined;
  const bytes = template ? readTemplate(template) : undefined;
  if (bytes) {
    try {
      return await PGlite.create(target, { loadDataDir: new Blob([bytes]) });
    } catch {
      // A damaged template: start over from initdb (the directory was new, so nothing of the
      // user's is in it), and make a new template.
      fs.rmSync(template, { force: true });
      if (dataDir !== undefined) fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const db = await PGlite.create(target);
  if (template) {
    const tmp = template + '.' + process.pid + '-' + threadId + '.tmp';
    try {
      // Pristine, before any migration; written whole, then renamed into place.
      const dump = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
      fs.writeFileSync(tmp, dump, { mode: 0o600, flag: 'wx' });
      fs.renameSync(tmp, template);
    } catch {
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  return db;
}

(async () => {
  // Resolved from this package (an eval'd worker has no location of its own).
  const load = createRequire(workerData.from);
  const { PGlite } = load('@electric-sql/pglite');
  const { PGLiteSocketServer } = load('@electric-sql/pglite-socket');
  const db = await open(PGlite, load);
  // One backend: PGlite runs one session, so one connection (more get ECONNRESET).
  const server = new PGLiteSocketServer({ db, path: workerData.socketPath, maxConnections: 1 });
  await server.start();
  parentPort.on('message', async (m) => {
    if (m !== 'close') return;
    try { await server.stop(); } catch {}
    try { await db.close(); } catch {}
    parentPort.postMessage({ closed: true });
  });
  parentPort.postMessage({ ready: true });
})().catch((e) => parentPort.postMessage({ error: (e && e.stack) || String(e) }));
`;

/**
 * Starts PGlite on `dataDir` (created if missing; `undefined` = in memory) in a worker thread
 * (a new database from the template in `templateDir`, when there is one),
 * served over a unix socket in a fresh 0700 directory: no TCP port, nothing another local user
 * can connect to. A data directory is locked against a second opener first.
 */
export async function startEmbeddedPostgres(
  dataDir: string | undefined,
  signal?: AbortSignal,
  templateDir?: string,
): Promise<EmbeddedPostgres> {
  signal?.throwIfAborted();
  // mkdtemp creates the directory 0700.
  const socketDir = await mkdtemp(join(tmpdir(), 'esikit-pg-'));
  let lock: HeldLock | undefined;
  const cleanup = async () => {
    await rm(socketDir, { recursive: true, force: true });
    await lock?.release();
  };
  if (dataDir !== undefined) {
    try {
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
      lock = await acquireLockfile(join(dataDir, 'esikit.lock'), dataDir, socketDir);
    } catch (error) {
      await cleanup();
      throw error;
    }
  }
  let worker: Worker;
  try {
    worker = new Worker(WORKER, {
      eval: true,
      workerData: {
        from: fileURLToPath(import.meta.url),
        // PGlite keeps its files in a subdirectory, so the lockfile sits beside them.
        dataDir: dataDir === undefined ? undefined : join(dataDir, 'pgdata'),
        socketPath: join(socketDir, `.s.PGSQL.${PORT}`),
        templateDir,
      },
    });
  } catch (cause) {
    await cleanup();
    throw new EsikitDatabaseError('ESIKIT_DB_EMBEDDED_FAILED', 'could not start PGlite', {
      cause,
    });
  }
  try {
    await new Promise<void>((resolve, reject) => {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the caller's own abort reason, as given
      const onAbort = () => reject(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.once('message', (m: { ready?: true; error?: string }) => {
        signal?.removeEventListener('abort', onAbort);
        if (m.ready) resolve();
        else reject(new Error(m.error ?? 'PGlite worker failed'));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`PGlite worker exited with ${code}`)));
    });
  } catch (cause) {
    await worker.terminate();
    await cleanup();
    if (signal?.aborted) throw cause;
    throw new EsikitDatabaseError(
      'ESIKIT_DB_EMBEDDED_FAILED',
      `could not start the embedded PostgreSQL (PGlite) on ${dataDir ?? 'memory'}: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`,
      { cause },
    );
  }
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  // A worker that dies later is reported by the next query (connection refused), not here.
  worker.on('error', () => undefined);
  let closing: Promise<void> | undefined;
  return {
    socketDir,
    port: PORT,
    dataDir,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => {
          worker.once('message', () => resolve());
          worker.once('exit', () => resolve());
        });
        worker.postMessage('close');
        // PGlite flushes its files in close(); give it time, then end the thread regardless.
        await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000).unref())]);
        await worker.terminate();
        await cleanup();
      })()),
  };
}
