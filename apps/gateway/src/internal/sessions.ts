// Server-side sessions. The cookie holds only an opaque random id (signed); everything else is a
// row in the gateway's own table, so a restart (or a second gateway on the same database) keeps
// everyone logged in. Rows are keyed by a SHA-256 of the id: a leaked table is no cookie jar.
// (How the gateway's tables are made: see sql.ts.)
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { EsikitDatabase } from '@esikit/mikro-orm';
import { ensureTables, execute } from './sql.js';

export interface Session {
  readonly id: string;
  /** The app user this browser is logged in as; undefined before the first login. */
  readonly userId: string | undefined;
  /** Per-session CSRF token, checked on every state-changing request. */
  readonly csrf: string;
  readonly expiresAt: number;
}

const TTL_MS = 7 * 24 * 3600_000;
/** Last-seen is written at most this often per session, not on every request. */
const TOUCH_EVERY_MS = 5 * 60_000;

const SCHEMA = `CREATE TABLE IF NOT EXISTS esikit_gateway_session (
  id_hash text PRIMARY KEY,
  user_id text,
  csrf text NOT NULL,
  created_at bigint NOT NULL,
  last_seen_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS esikit_gateway_session_expires ON esikit_gateway_session (expires_at)`;

interface Row {
  user_id: string | null;
  csrf: string;
  last_seen_at: string | number;
  expires_at: string | number;
}

function hashId(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

export class SessionStore {
  readonly #db: EsikitDatabase;
  readonly #now: () => number;

  private constructor(db: EsikitDatabase, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  /** Creates the table if needed (idempotent, safe on every start). */
  static async open(db: EsikitDatabase, now: () => number = Date.now): Promise<SessionStore> {
    await ensureTables(db, SCHEMA);
    return new SessionStore(db, now);
  }

  async create(userId?: string): Promise<Session> {
    const now = this.#now();
    const session: Session = {
      id: randomBytes(32).toString('base64url'),
      userId,
      csrf: randomBytes(32).toString('base64url'),
      expiresAt: now + TTL_MS,
    };
    await execute(
      this.#db,
      'INSERT INTO esikit_gateway_session (id_hash, user_id, csrf, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      [hashId(session.id), userId ?? null, session.csrf, now, now, session.expiresAt],
    );
    return session;
  }

  async get(id: string): Promise<Session | undefined> {
    const key = hashId(id);
    const rows = await execute<Row[]>(
      this.#db,
      'SELECT user_id, csrf, last_seen_at, expires_at FROM esikit_gateway_session WHERE id_hash = ?',
      [key],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    const now = this.#now();
    if (Number(row.expires_at) <= now) {
      await this.destroy(id);
      return undefined;
    }
    if (now - Number(row.last_seen_at) >= TOUCH_EVERY_MS)
      await execute(
        this.#db,
        'UPDATE esikit_gateway_session SET last_seen_at = ? WHERE id_hash = ?',
        [now, key],
      );
    return {
      id,
      userId: row.user_id ?? undefined,
      csrf: row.csrf,
      expiresAt: Number(row.expires_at),
    };
  }

  /** A new session id for the same user (after login), so a fixated id is worth nothing. */
  async rotate(old: Session, userId: string): Promise<Session> {
    await this.destroy(old.id);
    return this.create(userId);
  }

  async destroy(id: string): Promise<void> {
    await execute(this.#db, 'DELETE FROM esikit_gateway_session WHERE id_hash = ?', [hashId(id)]);
  }

  /** Deletes expired sessions (housekeeping); returns how many. */
  async deleteExpired(): Promise<number> {
    const rows = await execute<unknown[]>(
      this.#db,
      'DELETE FROM esikit_gateway_session WHERE expires_at <= ? RETURNING id_hash',
      [this.#now()],
    );
    return rows.length;
  }
}

export function newUserId(): string {
  return randomUUID();
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A `returnUrl` is only ever a path on this site: `/…` but not `//host` or `/\host` (browsers
 * read both as another host), nothing with a scheme, no control characters.
 */
export function safeReturnUrl(value: unknown, origin: string): string | undefined {
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return undefined;
  }
  if (url.origin !== origin) return undefined;
  return url.pathname + url.search + url.hash;
}
