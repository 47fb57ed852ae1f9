import { open, readFile, rm, unlink } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import { EsikitDatabaseError } from '../errors.js';

/** What the lockfile records about its holder. */
interface LockInfo {
  pid: number;
  host: string;
  since: string;
  /** The holder's socket directory, removed by whoever takes over a stale lock. */
  socketDir?: string;
}

/** A held lockfile; `release` removes it (only if it is still ours). */
export interface HeldLock {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * Takes `path` as an exclusive lockfile (`O_EXCL`). PGlite itself locks nothing, and two
 * processes on one data directory silently lose committed rows, so a second opener must be
 * refused. A lockfile left by a process that no longer runs (kill -9) on this host is taken
 * over; one held by a live process, or written on another host, is not.
 */
export async function acquireLockfile(
  path: string,
  dataDir: string,
  socketDir: string,
): Promise<HeldLock> {
  const me: LockInfo = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    socketDir,
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(me));
      } finally {
        await handle.close();
      }
      return {
        path,
        release: async () => {
          const now = await readLock(path);
          if (now?.pid === me.pid && now.host === me.host && now.since === me.since)
            await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(path);
    if (holder === undefined) {
      // Unreadable or half-written: a holder that died while writing it, or one writing it now.
      // Give a writer a moment; a file still unreadable afterwards is stale.
      await new Promise((r) => setTimeout(r, 50));
      if ((await readLock(path)) === undefined) await unlink(path).catch(() => undefined);
      continue;
    }
    if (holder.host === me.host && !isAlive(holder.pid)) {
      // A process killed with SIGKILL leaves its socket directory behind too.
      if (isOurSocketDir(holder.socketDir))
        await rm(holder.socketDir, { recursive: true, force: true }).catch(() => undefined);
      await unlink(path).catch(() => undefined);
      continue;
    }
    throw new EsikitDatabaseError(
      'ESIKIT_DB_LOCKED',
      `the embedded database directory ${dataDir} is already open in process ${holder.pid} on ${holder.host} (since ${holder.since}); PGlite allows one process per directory. Close that process, use another dataDir, or use PostgreSQL (url) to share tokens between processes`,
    );
  }
  throw new EsikitDatabaseError(
    'ESIKIT_DB_LOCKED',
    `could not take the lock ${path} on the embedded database directory ${dataDir}`,
  );
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(path, 'utf8')) as Partial<LockInfo>;
    if (typeof info.pid !== 'number' || typeof info.host !== 'string') return undefined;
    return {
      pid: info.pid,
      host: info.host,
      since: String(info.since),
      ...(typeof info.socketDir === 'string' ? { socketDir: info.socketDir } : {}),
    };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Only a directory this package makes (`<tmpdir>/esikit-pg-*`) is ever removed. */
function isOurSocketDir(dir: string | undefined): dir is string {
  return dir !== undefined && dirname(dir) === tmpdir() && basename(dir).startsWith('esikit-pg-');
}
