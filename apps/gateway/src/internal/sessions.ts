// Server-side sessions. The cookie holds only an opaque random id (signed); everything else
// stays here. Kept in memory: a restart logs everyone out, but their tokens stay in the
// database under their user id, so logging in again brings the characters back.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

export interface Session {
  readonly id: string;
  /** The app user this browser is logged in as; undefined before the first login. */
  readonly userId: string | undefined;
  /** Per-session CSRF token, checked on every state-changing request. */
  readonly csrf: string;
  readonly expiresAt: number;
}

const TTL_MS = 7 * 24 * 3600_000;
const MAX_SESSIONS = 100_000;

export class SessionStore {
  readonly #sessions = new Map<string, Session>();

  create(userId?: string): Session {
    if (this.#sessions.size >= MAX_SESSIONS) this.#evictExpired();
    // Oldest first: Map keeps insertion order.
    while (this.#sessions.size >= MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    const session: Session = {
      id: randomBytes(32).toString('base64url'),
      userId,
      csrf: randomBytes(32).toString('base64url'),
      expiresAt: Date.now() + TTL_MS,
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  get(id: string): Session | undefined {
    const s = this.#sessions.get(id);
    if (s === undefined) return undefined;
    if (s.expiresAt <= Date.now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return s;
  }

  /** A new session id for the same user (after login), so a fixated id is worth nothing. */
  rotate(old: Session, userId: string): Session {
    this.#sessions.delete(old.id);
    return this.create(userId);
  }

  destroy(id: string): void {
    this.#sessions.delete(id);
  }

  #evictExpired(): void {
    const now = Date.now();
    for (const [id, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(id);
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
