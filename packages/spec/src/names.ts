// How the client names what the spec names: tags, operations, and which operations are read-only.
// A module of its own, exported as `@esikit/spec/names` too, so a client that only builds from
// its generated table loads this and none of the spec compiler (a cold start's cost is mostly
// module loading).
import type { OperationSpec } from './types.js';

/**
 * `Faction Warfare` → `FactionWarfare`: the property name of a tag on the client
 * (`esi.FactionWarfare`).
 *
 * @example
 * tagKey('Faction Warfare'); // 'FactionWarfare'
 */
export function tagKey(tag: string): string {
  const key = tag
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
  if (key === '') return 'Default';
  return /^\d/.test(key) ? `_${key}` : key;
}

/**
 * `GetMarketsRegionIdOrders` → `getMarketsRegionIdOrders`: the method name of an operation on
 * its tag (`esi.Market.getMarketsRegionIdOrders`).
 *
 * @example
 * methodName('GetStatus'); // 'getStatus'
 */
export function methodName(operationId: string): string {
  return operationId[0]!.toLowerCase() + operationId.slice(1);
}

/**
 * Whether calling the operation changes nothing at ESI: every GET, and every POST that needs no
 * SSO scope. ESI's scope-less POSTs (`/universe/names`, `/universe/ids`,
 * `/characters/affiliation`, `/route/…`) are lookups that take their input as a body because it
 * is too long for a query string; a POST, PUT or DELETE with a scope acts for a character. The
 * client's retry policy rests on the same rule: only read-only operations are ever re-sent.
 *
 * @example
 * isReadOnly(table.operations.find((op) => op.id === 'PostUniverseNames')!); // true
 */
export function isReadOnly(op: Pick<OperationSpec, 'method' | 'scope'>): boolean {
  return op.method === 'GET' || (op.method === 'POST' && op.scope === undefined);
}
