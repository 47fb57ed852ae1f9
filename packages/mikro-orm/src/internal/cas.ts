// Every write that must be atomic across processes is ONE SQL statement here: compare-and-set
// on `version`, compare-and-delete, the refresh lease, taking a login. One statement needs no
// explicit transaction, which matters on PGlite (one backend: a transaction that awaited another
// pooled connection would hang). Interface changes to core's TokenStore land in this module.
//
// Fencing: a refresh writes with the version it read under its lease, so a holder whose lease
// expired (and whose token a newer holder has since written) can neither overwrite nor delete
// the newer write — its version is stale and the statement matches no row. Lease expiry is
// judged by the database clock, one clock for every process.

/** Runs one statement with `?` placeholders and returns its rows. */
export type Execute = (sql: string, params: readonly unknown[]) => Promise<Row[]>;
export type Row = Record<string, unknown>;

/** Column list of esikit_token, read back by every statement that returns a token. */
export const TOKEN_COLUMNS =
  'id, created, updated, version, access_token, refresh_token, character_id, character_name, token_type, owner_hash, sso_version, user_id, scopes, expires_at';

/** Column of each field `update` may change. */
const CHANGE_COLUMNS = {
  accessToken: 'access_token',
  refreshToken: 'refresh_token',
  characterName: 'character_name',
  ownerHash: 'owner_hash',
  scopes: 'scopes',
  expiresAt: 'expires_at',
  tokenType: 'token_type',
  userId: 'user_id',
} as const;

/**
 * Applies `changes` if the row still has `expectedVersion`; the new row, or `undefined`.
 * An `undefined` value clears `refreshToken` and `userId` and leaves any other field alone,
 * as the memory store does.
 */
export async function compareAndSet(
  execute: Execute,
  id: string,
  expectedVersion: number,
  changes: Readonly<Record<string, unknown>>,
  now: number,
): Promise<Row | undefined> {
  const sets = ['version = version + 1', 'updated = ?'];
  const params: unknown[] = [now];
  for (const [field, column] of Object.entries(CHANGE_COLUMNS)) {
    if (!(field in changes)) continue;
    const value = changes[field];
    if (value === undefined && field !== 'refreshToken' && field !== 'userId') continue;
    sets.push(field === 'scopes' ? `${column} = ?::text[]` : `${column} = ?`);
    params.push(field === 'scopes' ? textArray(value as readonly string[]) : (value ?? null));
  }
  const rows = await execute(
    `update esikit_token set ${sets.join(', ')} where id = ? and version = ? returning ${TOKEN_COLUMNS}`,
    [...params, id, expectedVersion],
  );
  return rows[0];
}

/** Deletes the row (only at `expectedVersion`, if given); true if one was deleted. */
export async function compareAndDelete(
  execute: Execute,
  id: string,
  expectedVersion: number | undefined,
): Promise<boolean> {
  const rows =
    expectedVersion === undefined
      ? await execute('delete from esikit_token where id = ? returning id', [id])
      : await execute('delete from esikit_token where id = ? and version = ? returning id', [
          id,
          expectedVersion,
        ]);
  return rows.length === 1;
}

/**
 * Takes the lease if it is free or expired; the new fence (grows on every acquisition), or
 * `undefined` if someone holds it. A holder cannot take its own live lease again.
 */
export async function acquireLease(
  execute: Execute,
  key: string,
  holder: string,
  ttlMs: number,
): Promise<number | undefined> {
  const rows = await execute(
    `insert into esikit_refresh_lease as l (key, holder, expires_at, fence)
     values (?, ?, clock_timestamp() + ? * interval '1 millisecond', 1)
     on conflict (key) do update
       set holder = excluded.holder, expires_at = excluded.expires_at, fence = l.fence + 1
       where l.expires_at <= clock_timestamp()
     returning fence`,
    [key, holder, ttl(ttlMs)],
  );
  return rows[0] === undefined ? undefined : Number(rows[0].fence);
}

/** Extends a live lease held by `holder`; false if it was lost or has expired. */
export async function renewLease(
  execute: Execute,
  key: string,
  holder: string,
  ttlMs: number,
): Promise<boolean> {
  const rows = await execute(
    `update esikit_refresh_lease
     set expires_at = clock_timestamp() + ? * interval '1 millisecond'
     where key = ? and holder = ? and expires_at > clock_timestamp()
     returning fence`,
    [ttl(ttlMs), key, holder],
  );
  return rows.length === 1;
}

/**
 * Ends the lease if `holder` still holds it. The row stays (expired) so the fence keeps
 * growing across holders.
 */
export async function releaseLease(execute: Execute, key: string, holder: string): Promise<void> {
  await execute(
    `update esikit_refresh_lease set expires_at = '-infinity'
     where key = ? and holder = ? and expires_at > clock_timestamp()`,
    [key, holder],
  );
}

/** Reads and deletes the login for `state` in one statement: two callbacks cannot both get it. */
export async function takeCallbackRedirect(
  execute: Execute,
  state: string,
): Promise<Row | undefined> {
  const rows = await execute(
    'delete from esikit_callback_redirect where state = ? returning state, session_key, return_url, code_verifier, scopes, user_id, created',
    [state],
  );
  return rows[0];
}

/**
 * A `text[]` literal: knex expands an array bound to `?` into a list, so arrays travel as one
 * string parameter.
 */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

function ttl(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs));
}
