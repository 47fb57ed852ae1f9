import type { JsonSchema, OperationSpec, ValueConstraints } from '@esikit/spec';
import { EsiValidationError } from '../esi-errors.js';
import { describeValue } from './describe.js';

/** A request ready to send: the path with its query, and the query alone (for cache keys). */
export interface BuiltRequest {
  /** `/markets/10000002/orders?order_type=all` (without the base path). */
  readonly path: string;
  readonly body: string | undefined;
}

/** Parameters the client sets itself from request options; refused when passed as params. */
const CLIENT_OWNED = new Set(['page', 'before', 'after', 'from_id']);

/**
 * Checks `params` and `body` against the operation's rules from the spec and builds the path.
 * Fills the spec default of a required parameter left out. Throws {@link EsiValidationError}
 * naming operation and parameter; nothing has been sent then.
 *
 * `extra` carries the paging parameters the client itself adds (page, before, after, from_id).
 */
export function buildRequest(
  op: OperationSpec,
  params: Readonly<Record<string, unknown>> | undefined,
  body: unknown,
  extra?: Readonly<Record<string, unknown>>,
): BuiltRequest {
  if (
    params !== undefined &&
    (typeof params !== 'object' || params === null || Array.isArray(params))
  ) {
    // Shape only: the usual wrong thing here is an access token passed in the params' place.
    throw new EsiValidationError(
      op.id,
      'params',
      `must be an object, got ${describeValue(params)}`,
    );
  }
  const given = params ?? {};
  const known = names(op);
  for (const name of Object.keys(given)) {
    if (!known.has(name)) {
      throw new EsiValidationError(
        op.id,
        name,
        `is not a parameter of this operation (known: ${[...known].join(', ') || 'none'})`,
      );
    }
  }
  let path = op.path;
  const query: string[] = [];
  for (const p of op.parameters) {
    if (extra?.[p.name] !== undefined && given[p.name] !== undefined && CLIENT_OWNED.has(p.name)) {
      throw new EsiValidationError(
        op.id,
        p.name,
        'is set by the client for paging; pass it as a request option instead',
      );
    }
    let value = extra?.[p.name] ?? given[p.name];
    if (value === undefined) {
      if (p.required && p.default !== undefined) value = p.default;
      else if (p.required) throw new EsiValidationError(op.id, p.name, 'is required');
      else continue;
    }
    checkValue(op.id, p.name, p, value);
    if (p.in === 'path') {
      path = path.replace(`{${p.name}}`, encodeURIComponent(String(value)));
    } else if (p.in === 'query') {
      const text = Array.isArray(value) ? value.map(String).join(',') : String(value);
      query.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(text)}`);
    }
    // Header parameters: ESI declares none outside the standard ones the client sets.
  }
  let text: string | undefined;
  if (op.body) {
    if (body === undefined) {
      if (op.body.required) throw new EsiValidationError(op.id, 'body', 'is required');
    } else {
      checkSchema(op.id, 'body', op.body.schema, body);
      text = JSON.stringify(body);
    }
  } else if (body !== undefined) {
    throw new EsiValidationError(op.id, 'body', 'is not accepted by this operation');
  }
  // Sorted so that the same request always has the same cache key.
  query.sort();
  return { path: query.length ? `${path}?${query.join('&')}` : path, body: text };
}

/** One problem with an input, for Standard Schema: core's message and where it is. */
export interface InputIssue {
  /** The same message `EsiValidationError` carries for this problem. */
  readonly message: string;
  /** `['ids', 2]`, `['body', 'recipients', 0, 'recipient_id']`; empty for the input as a whole. */
  readonly path: readonly (string | number)[];
}

/**
 * Checks an adapter's input — the operation's parameters, plus its request body under `body` —
 * with the rules {@link buildRequest} applies, and reports every problem instead of the first.
 * The message of each problem is the one `buildRequest` would throw for it.
 */
export function inputIssues(op: OperationSpec, input: unknown): InputIssue[] {
  if (input === undefined) input = {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    const error = new EsiValidationError(
      op.id,
      'params',
      `must be an object, got ${describeValue(input)}`,
    );
    return [{ message: error.message, path: [] }];
  }
  const { body, ...params } = input as Record<string, unknown>;
  const issues: InputIssue[] = [];
  const report = (error: unknown): void => {
    if (!(error instanceof EsiValidationError)) throw error;
    issues.push({ message: error.message, path: issuePath(error.parameter) });
  };
  const known = names(op);
  for (const name of Object.keys(params)) {
    if (!known.has(name)) {
      report(
        new EsiValidationError(
          op.id,
          name,
          `is not a parameter of this operation (known: ${[...known].join(', ') || 'none'})`,
        ),
      );
    }
  }
  for (const p of op.parameters) {
    const value = params[p.name];
    if (value === undefined) {
      if (p.required && p.default === undefined)
        report(new EsiValidationError(op.id, p.name, 'is required'));
      continue;
    }
    try {
      checkValue(op.id, p.name, p, value);
    } catch (error) {
      report(error);
    }
  }
  if (!op.body) {
    if (body !== undefined)
      report(new EsiValidationError(op.id, 'body', 'is not accepted by this operation'));
  } else if (body === undefined) {
    if (op.body.required) report(new EsiValidationError(op.id, 'body', 'is required'));
  } else {
    try {
      checkSchema(op.id, 'body', op.body.schema, body);
    } catch (error) {
      report(error);
    }
  }
  return issues;
}

/** `body.recipients[0].recipient_id` → `['body', 'recipients', 0, 'recipient_id']`. */
function issuePath(parameter: string): (string | number)[] {
  const path: (string | number)[] = [];
  for (const m of parameter.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    path.push(m[2] === undefined ? (m[1] as string) : Number(m[2]));
  }
  return path;
}

const INT32 = 2 ** 31;
const nameSets = new WeakMap<OperationSpec, ReadonlySet<string>>();

/** Parameter names of an operation, computed once per operation. */
function names(op: OperationSpec): ReadonlySet<string> {
  let set = nameSets.get(op);
  if (!set) {
    set = new Set(op.parameters.map((p) => p.name));
    nameSets.set(op, set);
  }
  return set;
}
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const patterns = new Map<string, RegExp>();

/** Checks one value against scalar/array constraints. */
export function checkValue(opId: string, name: string, c: ValueConstraints, value: unknown): void {
  switch (c.type) {
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value))
        fail(opId, name, `must be an integer, got ${show(value)}`);
      if (!Number.isSafeInteger(value))
        fail(opId, name, `must be a safe integer (|n| ≤ 2^53−1), got ${show(value)}`);
      if (c.format === 'int32' && (value >= INT32 || value < -INT32))
        fail(opId, name, `must fit in int32, got ${show(value)}`);
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value))
        fail(opId, name, `must be a finite number, got ${show(value)}`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') fail(opId, name, `must be true or false, got ${show(value)}`);
      break;
    case 'string': {
      if (typeof value !== 'string') fail(opId, name, `must be a string, got ${show(value)}`);
      const s = value;
      if (c.minLength !== undefined && s.length < c.minLength)
        fail(opId, name, `must be at least ${c.minLength} characters, got ${show(s)}`);
      if (c.maxLength !== undefined && s.length > c.maxLength)
        fail(opId, name, `must be at most ${c.maxLength} characters, got ${s.length}`);
      if (c.format === 'date' && !isDate(s))
        fail(opId, name, `must be a date YYYY-MM-DD, got ${show(s)}`);
      if (c.format === 'date-time' && (!DATE_TIME.test(s) || Number.isNaN(Date.parse(s))))
        fail(opId, name, `must be an ISO 8601 date-time, got ${show(s)}`);
      if (c.format === 'uuid' && !UUID.test(s)) fail(opId, name, `must be a UUID, got ${show(s)}`);
      if (c.pattern !== undefined && !pattern(c.pattern).test(s))
        fail(opId, name, `must match ${c.pattern}, got ${show(s)}`);
      break;
    }
    case 'array': {
      if (!Array.isArray(value)) fail(opId, name, `must be an array, got ${show(value)}`);
      const a = value as unknown[];
      if (c.minItems !== undefined && a.length < c.minItems)
        fail(opId, name, `must have at least ${c.minItems} items, got ${a.length}`);
      if (c.maxItems !== undefined && a.length > c.maxItems)
        fail(opId, name, `must have at most ${c.maxItems} items, got ${a.length}`);
      if (c.uniqueItems && new Set(a).size !== a.length) fail(opId, name, 'must not repeat items');
      if (c.items)
        a.forEach((item, i) =>
          checkValue(opId, `${name}[${i}]`, c.items as ValueConstraints, item),
        );
      break;
    }
  }
  if (c.type !== 'array') {
    if (c.enum && !c.enum.includes(value as string | number))
      fail(
        opId,
        name,
        `must be one of ${c.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${show(value)}`,
      );
    if (typeof value === 'number') {
      if (c.minimum !== undefined && value < c.minimum)
        fail(opId, name, `must be ≥ ${c.minimum}, got ${value}`);
      if (c.maximum !== undefined && value > c.maximum)
        fail(opId, name, `must be ≤ ${c.maximum}, got ${value}`);
    }
  }
}

/** The subset of JSON Schema ESI request bodies use: type, properties, required, items, enum, bounds. */
export function checkSchema(opId: string, name: string, schema: JsonSchema, value: unknown): void {
  const type = schema.type as string | undefined;
  if (type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new EsiValidationError(opId, name, `must be an object, got ${show(value)}`);
    }
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const record = value as Record<string, unknown>;
    for (const req of (schema.required ?? []) as string[]) {
      if (record[req] === undefined)
        throw new EsiValidationError(opId, `${name}.${req}`, 'is required');
    }
    for (const [key, v] of Object.entries(record)) {
      const sub = props[key];
      if (!sub) {
        if (schema.additionalProperties === false || Object.keys(props).length > 0) {
          throw new EsiValidationError(opId, `${name}.${key}`, 'is not a known property');
        }
        continue;
      }
      if (v !== undefined) checkSchema(opId, `${name}.${key}`, sub, v);
    }
    return;
  }
  if (type === 'array') {
    const { items: _items, ...bounds } = schema;
    checkValue(opId, name, { ...bounds, type: 'array' } as unknown as ValueConstraints, value);
    const items = schema.items as JsonSchema | undefined;
    if (items)
      (value as unknown[]).forEach((item, i) => checkSchema(opId, `${name}[${i}]`, items, item));
    return;
  }
  if (type === 'integer' || type === 'number' || type === 'string' || type === 'boolean') {
    checkValue(opId, name, schema as unknown as ValueConstraints, value);
  }
}

function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return (
    !Number.isNaN(d.getTime()) &&
    d.getUTCDate() === Number(m[3]) &&
    d.getUTCMonth() + 1 === Number(m[2])
  );
}

function pattern(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) {
    re = new RegExp(source, 'u');
    patterns.set(source, re);
  }
  return re;
}

// A module-level thrower, not a closure per call: validation runs on every request.
function fail(opId: string, name: string, problem: string): never {
  throw new EsiValidationError(opId, name, problem);
}

function show(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  return `${value as number | boolean | undefined}`;
}
